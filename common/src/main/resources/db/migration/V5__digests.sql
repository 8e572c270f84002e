-- When the user's last digest was sent (only a sent digest moves it): the next one starts there.
alter table users add column last_digest_at timestamptz;
-- The latest period a scheduler tick enqueued for the user, so a tick skips users already planned.
alter table users add column digest_planned_through timestamptz;
-- The scheduler pages through users who want a digest, by id.
create index users_digest on users (digest, id) where digest <> 'off';

-- One row per digest built, keyed like its job: sent, or empty (nothing to say, not sent).
create table digests (
    user_id       bigint      not null,
    period        text        not null check (period in ('daily', 'weekly')),
    period_start  timestamptz not null,
    status        text        not null check (status in ('sent', 'empty')),
    notifications int         not null,
    posts         int         not null,
    message_id    text,
    built_at      timestamptz not null default now(),
    primary key (user_id, period, period_start)
);

-- Unsubscribe links already used: each link works once.
create table digest_unsubscribes (
    token_hash text        primary key,
    user_id    bigint      not null,
    used_at    timestamptz not null default now()
);
