-- The job ledger: one row per job, written before the publish so that a crash between the two
-- leaves a row the sweeper re-publishes (published_at is null).
create table jobs (
    id              uuid primary key,
    type            text        not null,
    status          text        not null
        check (status in ('queued', 'running', 'retrying', 'succeeded', 'dead')),
    idempotency_key text,
    request_hash    text,
    payload         jsonb,
    attempts        integer     not null default 0,
    last_error      text,
    next_attempt_at timestamptz,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    published_at    timestamptz,
    finished_at     timestamptz,
    traceparent     text
);

-- A repeat of an enqueue with the same Idempotency-Key finds the first job.
create unique index jobs_type_idempotency_key on jobs (type, idempotency_key)
    where idempotency_key is not null;

-- The sweeper only ever looks at the few rows that were accepted but never confirmed by the broker.
create index jobs_unpublished on jobs (created_at)
    where published_at is null and status = 'queued';

create index jobs_dead on jobs (type, updated_at) where status = 'dead';
