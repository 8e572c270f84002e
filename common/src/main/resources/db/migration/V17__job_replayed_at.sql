-- When a dead job was last replayed. Its dead letters from before then are stale copies: the
-- workers' dead-letter reconciler drops them, and does not mistake a copy parked by the broker's
-- delivery limit before a replay for a new death of the replayed job. Nullable with no default,
-- so adding it rewrites nothing.
alter table jobs add column replayed_at timestamptz;
