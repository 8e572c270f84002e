-- The channels a user chose for one notification type; no row means the type's defaults.
create table notification_preferences (
    user_id    bigint      not null,
    type       text        not null,
    channels   text[]      not null,
    updated_at timestamptz not null default now(),
    primary key (user_id, type)
);

-- One row per notification (dispatch job + recipient) and external channel. The unique key means a
-- redelivered dispatch cannot create a second delivery, and a delivery marked sent is never sent
-- again.
create table deliveries (
    id                  uuid primary key,
    notification_job_id uuid        not null,
    user_id             bigint      not null,
    channel             text        not null check (channel in ('email', 'webhook')),
    status              text        not null default 'pending'
        check (status in ('pending', 'sent', 'failed')),
    attempts            integer     not null default 0,
    provider_id         text,
    last_error          text,
    sent_at             timestamptz,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    unique (notification_job_id, user_id, channel)
);

create index deliveries_user on deliveries (user_id, created_at desc);
