create table users (
    id             bigint primary key,
    handle         text        not null,
    email          text,
    display_name   text,
    time_zone      text        not null default 'UTC',
    digest         text        not null default 'off' check (digest in ('off', 'daily', 'weekly')),
    last_active_at timestamptz,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now()
);

-- In-app notifications. One row per recipient and job: a redelivered dispatch inserts nothing new.
create table notifications (
    id         bigserial primary key,
    user_id    bigint      not null,
    job_id     uuid        not null,
    type       text        not null,
    title      text        not null,
    body       text,
    link       text,
    actor_id   bigint,
    created_at timestamptz not null default now(),
    read_at    timestamptz,
    unique (user_id, job_id)
);

-- The inbox read: newest first per user, keyset on id.
create index notifications_inbox on notifications (user_id, id desc);
create index notifications_unread on notifications (user_id, id desc) where read_at is null;

create table api_keys (
    id         uuid primary key,
    name       text        not null,
    key_hash   text        not null unique,
    scopes     text[]      not null,
    created_at timestamptz not null default now(),
    revoked_at timestamptz
);
