create table communities (
    id         bigint primary key,
    name       text        not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

-- The primary key serves the fan-out: a chunk reads one community's members over a user-id range.
create table community_members (
    community_id bigint      not null,
    user_id      bigint      not null,
    joined_at    timestamptz not null default now(),
    primary key (community_id, user_id)
);
create index community_members_user on community_members (user_id);

create table posts (
    id           bigint primary key,
    community_id bigint      not null,
    author_id    bigint      not null,
    title        text        not null,
    excerpt      text,
    created_at   timestamptz not null,
    deleted_at   timestamptz
);
-- Backfill reads a community's recent live posts.
create index posts_community_recent on posts (community_id, created_at desc) where deleted_at is null;

-- Home feeds, fanned out on write. The primary key makes a repeated fan-out a no-op; the read
-- index serves "newest first after this cursor" for one user; the post index serves retraction.
create table feed_entries (
    user_id      bigint      not null,
    post_id      bigint      not null,
    community_id bigint      not null,
    created_at   timestamptz not null,
    primary key (user_id, post_id)
);
create index feed_entries_read on feed_entries (user_id, created_at desc, post_id desc);
create index feed_entries_post on feed_entries (post_id);
create index feed_entries_user_community on feed_entries (user_id, community_id);

-- Users are "active" for fan-out by their last activity.
create index users_last_active on users (last_active_at);
