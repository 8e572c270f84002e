-- Issue 19: grouping, a daily budget for email (and push), and "why" for operators.

-- Grouping. An inbox item that notifications with one group key were folded into: how many, the
-- latest actors (newest first, at most 5), and when its window closes (later ones open a new
-- item). A plain item has count 1 and no group. Dispatches of one recipient and key queue on an
-- advisory lock of that pair before they look for the open item, so 50 at once count to 50.
alter table notifications
    add column group_key      text,
    add column group_count    integer not null default 1 check (group_count >= 1),
    add column actor_ids      bigint[],
    add column group_ends_at  timestamptz,
    add constraint notifications_group_window check ((group_key is null) = (group_ends_at is null));

create index notifications_group on notifications (user_id, group_key, group_ends_at desc)
    where group_key is not null;

-- Deliveries now record every decision a dispatch makes per recipient and channel, so "why" is
-- read from here: in_app rows for the in-app decisions that have no inbox row of their own (a
-- notification folded into a group, opted out, recalled before it was read), and skipped rows for
-- channels the preferences or a missing address left out. 'push' is accepted for the channel
-- that follows.
alter table deliveries drop constraint deliveries_channel_check;
alter table deliveries
    add constraint deliveries_channel_check
        check (channel in ('in_app', 'email', 'webhook', 'push'));

alter table deliveries drop constraint deliveries_skip_reason_check;
alter table deliveries
    add constraint deliveries_skip_reason_check
        check (skip_reason in ('recalled', 'read', 'budget', 'grouped', 'preference',
                               'no_address', 'no_subscription', 'subscription_gone',
                               'quiet_hours')),
    -- The end of the recipient's quiet hours an email was deferred to.
    add column deferred_until timestamptz,
    -- For a notification folded into a group: the job that opened the group's inbox item (or,
    -- for a recipient without in-app, the group's email).
    add column grouped_into   uuid,
    -- On the email that opened a group's window: later ones within the window are grouped.
    add column group_key      text;

-- A recipient who turned in-app off has no item to fold into: their group's window is its first
-- email, found here.
create index deliveries_email_group on deliveries (user_id, group_key, created_at desc)
    where group_key is not null;

-- What the budget held back, per user, for the next digest or catch-up mail.
create index deliveries_held_back on deliveries (user_id, updated_at)
    where skip_reason = 'budget';

-- Daily budget. A user's own lower budget (no row: pulse.notifications.daily-budget).
create table notification_budgets (
    user_id      bigint primary key,
    daily_budget integer     not null check (daily_budget >= 0),
    updated_at   timestamptz not null default now()
);

-- Budgeted sends per user and day (the user's own calendar day). Taken with
-- UPDATE ... WHERE spent < budget in the delivery's transaction, so concurrent deliveries queue
-- on the row and exactly the budget's number go out.
create table notification_budget_days (
    user_id bigint  not null,
    day     date    not null,
    spent   integer not null check (spent >= 0),
    primary key (user_id, day)
);

-- A user with digests off gets one catch-up mail of what the budget held back, the next morning
-- at the digest hour; it is recorded like a digest, with its own period.
alter table digests drop constraint digests_period_check;
alter table digests
    add constraint digests_period_check check (period in ('daily', 'weekly', 'catchup')),
    add column held_back integer not null default 0;
