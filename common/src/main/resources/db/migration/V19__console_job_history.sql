-- What the operator console shows beside a job and a digest run.
--
-- parent_id: the job whose handler created this one (a dispatch's deliveries, a fan-out's chunks),
-- so a job's page lists its follow-ups and links to its parent. Jobs the API accepts have none.
alter table jobs add column if not exists parent_id uuid;

-- Both indexes are partial and stay small: follow-ups only, and only jobs not finished yet (the
-- oldest one is the overview's "oldest unfinished job"). A ledger already holding many millions
-- of rows can be given them beforehand without blocking writes, with CREATE INDEX CONCURRENTLY and
-- the same names and definitions; this migration then leaves them as they are (README: Operator
-- console).
create index if not exists jobs_parent on jobs (parent_id) where parent_id is not null;
create index if not exists jobs_unfinished on jobs (id)
    where status in ('queued', 'running', 'retrying');

-- One row per digest period and period start: how many digest.build jobs the planner created for
-- it. Sent, empty and failed come from digests and the ledger; planned is known only here.
create table if not exists digest_runs (
    period          text        not null,
    period_start    timestamptz not null,
    planned         integer     not null default 0,
    first_planned_at timestamptz not null default now(),
    primary key (period, period_start)
);
create index if not exists digest_runs_started on digest_runs (first_planned_at);

-- A job's failed attempts, one row each (the jobs row keeps only the last error): written only on
-- the failure path, in the same statement as the row's move to retrying or dead. They go by age
-- with dead jobs' retention, not with their job, so no foreign key slows the ledger's purge.
create table if not exists job_attempts (
    id      bigserial   primary key,
    job_id  uuid        not null,
    attempt integer     not null,
    status  text        not null,
    error   text,
    at      timestamptz not null default now()
);
create index if not exists job_attempts_job on job_attempts (job_id, id);
