-- Quiet hours (issue 17): a user's daily window, on the wall clock of users.time_zone, in which
-- the emails of non-critical types wait (as scheduled jobs) until it ends. Its own table rather
-- than columns of users: preferences may be set before the user is upserted, like
-- notification_preferences. No row: no quiet hours. starts > ends crosses midnight.
create table quiet_hours (
    user_id    bigint primary key,
    starts     time        not null check (extract(second from starts) = 0),
    ends       time        not null check (extract(second from ends) = 0),
    updated_at timestamptz not null default now(),
    check (starts <> ends)
);
