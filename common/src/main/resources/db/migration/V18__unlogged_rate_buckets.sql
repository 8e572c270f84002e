-- Request-rate buckets change with every API request; daily job quotas with every enqueue. A
-- bucket's row only says how many requests a key may still make this second, so it does not need
-- the WAL: unlogged, its update is not written twice and its commit does not wait for a disk flush
-- (a transaction that wrote only unlogged tables commits without one). That flush was one of three
-- on the path of every single request (bucket, ledger row, broker confirm; issue 16). After a
-- PostgreSQL crash (not a clean restart) or a fail-over to a standby the table starts empty: every
-- key's bucket is full again, which at most lets a key make one burst more than its limit once.
--
-- A daily quota is another matter (a reset could let a key enqueue a second day's quota), so its
-- buckets move to a table of their own that stays logged.
create table job_quota_buckets (
    id         text primary key,
    state      bytea,
    expires_at bigint
);

insert into job_quota_buckets (id, state, expires_at)
select id, state, expires_at from rate_limit_buckets where id like 'quota:%';

delete from rate_limit_buckets where id like 'quota:%';

alter table rate_limit_buckets set unlogged;
