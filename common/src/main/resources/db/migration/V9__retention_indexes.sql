-- Retention removes rows by age. The hot tables need no new index: jobs and deliveries are found by
-- time-ordered job ids (the primary key, and the deliveries' unique key), notifications by their
-- serial id. These two tables are written at most once per user and day, so an index on the age
-- column costs nothing measurable and spares retention a sequential scan per batch.
create index digests_built on digests (built_at);
create index digest_unsubscribes_used on digest_unsubscribes (used_at);
