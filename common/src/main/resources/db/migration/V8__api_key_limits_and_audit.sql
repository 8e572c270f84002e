-- Per-key limits; null means the configured default (pulse.api.limits.*).
alter table api_keys
    add column requests_per_second integer check (requests_per_second > 0),
    add column burst               integer check (burst > 0),
    add column daily_job_quota     bigint  check (daily_job_quota > 0);

-- Expiry and rotation: after a rotation the previous secret's hash works until its grace ends.
alter table api_keys
    add column expires_at                timestamptz,
    add column previous_key_hash         text unique,
    add column previous_key_valid_until  timestamptz;

-- Bucket4j's token buckets (PostgreSQLSelectForUpdateBasedProxyManager): one row per bucket, its
-- state serialized by Bucket4j, locked with SELECT ... FOR UPDATE for each request, so every API
-- instance consumes from the same bucket. expires_at (epoch ms) lets stale buckets be removed.
create table rate_limit_buckets (
    id         text primary key,
    state      bytea,
    expires_at bigint
);

-- Append-only record of admin actions. Who is the key's id and name (never its secret).
create table audit_events (
    id          bigserial primary key,
    occurred_at timestamptz not null default now(),
    actor_id    text        not null,
    actor_name  text,
    address     text,
    action      text        not null,
    target      text,
    outcome     text        not null,
    details     jsonb       not null default '{}'::jsonb
);

create index audit_events_action on audit_events (action, id desc);
create index audit_events_actor on audit_events (actor_id, id desc);

-- The application's role owns these tables, so a grant cannot stop it: a trigger does. Changing a
-- recorded event needs a migration that drops the trigger, which leaves its own trace in history.
create function audit_events_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_events is append-only: % refused', tg_op
        using errcode = 'insufficient_privilege';
end;
$$;

create trigger audit_events_no_update_or_delete
    before update or delete on audit_events
    for each row execute function audit_events_append_only();

create trigger audit_events_no_truncate
    before truncate on audit_events
    for each statement execute function audit_events_append_only();
