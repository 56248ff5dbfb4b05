-- A busy counter (an operator's server address, counted for every charge it sends) was one row per bucket, so every
-- bank process's batch waited for the other's to commit before adding to it: with two processes, half the batches'
-- time went to that wait. Each batch now adds to one of a few shards of the counter, picked at random, and a window
-- sums every shard, so the counts read are the same and two batches rarely touch the same row.
ALTER TABLE risk_velocity ADD COLUMN shard smallint NOT NULL DEFAULT 0 CHECK (shard >= 0);
ALTER TABLE risk_velocity DROP CONSTRAINT risk_velocity_pkey;
ALTER TABLE risk_velocity ADD PRIMARY KEY (dimension, key, bucket_start, shard);
