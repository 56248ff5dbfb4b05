-- Per-operator watch (issue 12, point 4): in 2020-style thefts through a leaked operator database every charge looked
-- ordinary on its own; only the operator's own volume was out of line (500 links charged in 10 minutes by an operator
-- whose busiest hour had held 6 charges). These tables let the charge, link and token paths compare an operator with
-- its own history and contain it automatically.

-- Events per operator in 2-minute buckets, by kind: charges decided, links made, refresh-token grants. A batch adds to
-- one shard picked at random, as the velocity counters do, so several bank processes rarely wait on one row.
CREATE TABLE operator_activity (
  operator_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('charge', 'link', 'refresh')),
  bucket_start timestamptz NOT NULL,
  shard smallint NOT NULL CHECK (shard >= 0),
  events_count integer NOT NULL CHECK (events_count >= 0),
  PRIMARY KEY (operator_id, kind, bucket_start, shard)
);

-- Each operator's busiest 10 minutes and busiest hour per kind over its recent history (the last hour left out, so a
-- burst never raises its own bar), recomputed from operator_activity when older than its refresh interval.
CREATE TABLE operator_baselines (
  operator_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('charge', 'link', 'refresh')),
  peak_10m integer NOT NULL CHECK (peak_10m >= 0),
  peak_1h integer NOT NULL CHECK (peak_1h >= 0),
  computed_at timestamptz NOT NULL,
  PRIMARY KEY (operator_id, kind)
);

-- Every address an operator has called the bank from, with when it was first seen: insert-only, so a busy operator's
-- known address costs a conflict check and no row lock.
CREATE TABLE operator_sources (
  operator_id uuid NOT NULL,
  source_ip text NOT NULL CHECK (char_length(source_ip) BETWEEN 1 AND 64),
  first_seen_at timestamptz NOT NULL,
  PRIMARY KEY (operator_id, source_ip)
);

-- The containment policy, per operator: the anomaly level past which the bank contains it itself (null: never), and
-- what containment does. source_addresses: where the operator's servers call from (IPs or CIDR blocks), if it
-- registered them; empty means not registered, and then any address is taken.
ALTER TABLE operators
  ADD COLUMN containment_level double precision DEFAULT 5 CHECK (containment_level IS NULL OR containment_level > 1),
  ADD COLUMN containment_action text NOT NULL DEFAULT 'hold_charges_and_suspend_links'
    CHECK (containment_action IN ('hold_charges', 'suspend_links', 'hold_charges_and_suspend_links')),
  ADD COLUMN source_addresses text[] NOT NULL DEFAULT ARRAY[]::text[];

-- Each automatic containment: what set it off and when, and who released it, when and why. At most one is active per
-- operator; its insert is the trigger, so two bank processes crossing the level at once contain it once.
CREATE TABLE operator_containments (
  id uuid PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators (id),
  action text NOT NULL CHECK (action IN ('hold_charges', 'suspend_links', 'hold_charges_and_suspend_links')),
  -- The anomaly level seen and the measure that reached it (e.g. charge_10m), with the counts behind it.
  level double precision NOT NULL CHECK (level > 0),
  measure text NOT NULL,
  details jsonb NOT NULL,
  started_at timestamptz NOT NULL,
  released_at timestamptz,
  released_by uuid,
  release_reason text CHECK (release_reason IS NULL OR char_length(release_reason) BETWEEN 1 AND 200),
  CHECK ((released_at IS NULL) = (released_by IS NULL) AND (released_at IS NULL) = (release_reason IS NULL))
);
CREATE UNIQUE INDEX operator_containments_active ON operator_containments (operator_id) WHERE released_at IS NULL;
CREATE INDEX operator_containments_by_operator ON operator_containments (operator_id, started_at);
