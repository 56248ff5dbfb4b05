-- Real-time risk: the state the rules read, kept in the same transactions as the ledger so that every API
-- process sees the same counts, and the decision made for every charge and link, for replay.

-- A charge may now wait: for the customer's step-up approval, or for staff review. Both reserve the money with
-- a pending ledger transfer (same id as the charge) that is posted on approval and voided on denial or timeout.
ALTER TABLE charges DROP CONSTRAINT charges_status_check;
ALTER TABLE charges ADD CONSTRAINT charges_status_check
  CHECK (status IN ('succeeded', 'pending_approval', 'held', 'declined', 'expired'));
ALTER TABLE charges
  -- What the risk pipeline decided and why (the full record is in risk_decisions); null for charges made before it ran.
  ADD COLUMN risk_decision text CHECK (risk_decision IN ('allow', 'challenge', 'hold', 'deny')),
  ADD COLUMN risk_reasons text[] NOT NULL DEFAULT ARRAY[]::text[],
  -- When a waiting charge's reservation runs out (the pending transfer's timeout).
  ADD COLUMN approval_expires_at timestamptz,
  -- When and by whom a waiting charge was settled: 'customer', 'staff:<id>', 'timeout', 'link_revoked'.
  ADD COLUMN resolved_at timestamptz,
  ADD COLUMN resolved_by text,
  ADD CONSTRAINT charges_waiting_expires CHECK (status NOT IN ('pending_approval', 'held') OR approval_expires_at IS NOT NULL);
CREATE INDEX charges_waiting ON charges (approval_expires_at) WHERE status IN ('pending_approval', 'held');

-- Where each link came from, and the counts around it at that moment (this link included): the charge-time
-- rules read these instead of recounting a busy operator's links on every charge.
CREATE TABLE link_origins (
  link_id uuid PRIMARY KEY REFERENCES links (id),
  operator_id uuid NOT NULL,
  account_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  -- The requester's address: the customer's browser on the FAPI path, the operator's server on the legacy path.
  source_ip text NOT NULL CHECK (char_length(source_ip) BETWEEN 1 AND 64),
  -- The end user's device as the operator relayed it (X-Device-Id), if it did.
  device_id text CHECK (char_length(device_id) BETWEEN 1 AND 128),
  device_links_24h integer CHECK (device_links_24h >= 1),
  ip_links_24h integer NOT NULL CHECK (ip_links_24h >= 1),
  device_accounts_30d integer CHECK (device_accounts_30d >= 1),
  created_at timestamptz NOT NULL
);
CREATE INDEX link_origins_device ON link_origins (device_id, created_at) WHERE device_id IS NOT NULL;
CREATE INDEX link_origins_ip ON link_origins (source_ip, created_at);

-- Every decision, for every charge that reached the risk step and every link request: allowed or not, enforced
-- or only observed. Features, rule outcomes and the config id make each one replayable by the lab and a
-- retrospective scan. A denied charge has a row here and none in charges: no money moved.
CREATE TABLE risk_decisions (
  id uuid PRIMARY KEY,
  stage text NOT NULL CHECK (stage IN ('charge', 'link')),
  -- The charge's id (also its transfer's), or null for a link decision.
  charge_id uuid UNIQUE,
  -- The link charged, or the link made (null when a link was denied and never written).
  link_id uuid,
  operator_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  account_id uuid NOT NULL,
  amount_yen bigint NOT NULL CHECK (amount_yen >= 0),
  action text NOT NULL CHECK (action IN ('allow', 'challenge', 'hold', 'deny')),
  -- False in observe (shadow) mode: decided and recorded, but the request went ahead as allowed.
  enforced boolean NOT NULL,
  reasons text[] NOT NULL,
  rules jsonb NOT NULL,
  typologies jsonb NOT NULL,
  config_id text NOT NULL,
  features jsonb NOT NULL,
  source_ip text,
  device_id text,
  decided_at timestamptz NOT NULL
);
CREATE INDEX risk_decisions_decided ON risk_decisions (decided_at);
CREATE INDEX risk_decisions_customer ON risk_decisions (customer_id, decided_at);
CREATE INDEX risk_decisions_link ON risk_decisions (link_id, decided_at);
CREATE INDEX risk_decisions_flagged ON risk_decisions (decided_at) WHERE action <> 'allow';

-- Sliding-window charge counts per link, customer, device and source IP, in buckets of a twelfth of the window,
-- so a window sums at most 12 rows however busy the key (a 1-hour window counts the last 55 to 60 minutes).
CREATE TABLE risk_velocity (
  dimension text NOT NULL CHECK (dimension IN ('link', 'customer', 'device', 'ip')),
  key text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 128),
  bucket_start timestamptz NOT NULL,
  charges_count integer NOT NULL CHECK (charges_count > 0),
  PRIMARY KEY (dimension, key, bucket_start)
);

-- What a customer's charges looked like, for "amount relative to history" and "first charge": only charges
-- whose money moved (allowed at once, or approved later).
CREATE TABLE risk_customer_stats (
  customer_id uuid PRIMARY KEY REFERENCES customers (id),
  charges_count integer NOT NULL CHECK (charges_count >= 0),
  charged_yen_total bigint NOT NULL CHECK (charged_yen_total >= 0),
  charge_yen_largest bigint NOT NULL CHECK (charge_yen_largest >= 0),
  last_charge_at timestamptz NOT NULL
);

-- When a customer first charged through each operator: "ever used this operator before this link?".
CREATE TABLE risk_customer_operators (
  customer_id uuid NOT NULL REFERENCES customers (id),
  operator_id uuid NOT NULL REFERENCES operators (id),
  charges_count integer NOT NULL CHECK (charges_count >= 0),
  first_charge_at timestamptz NOT NULL,
  PRIMARY KEY (customer_id, operator_id)
);

-- Charges whose money moved, per link.
CREATE TABLE risk_link_stats (
  link_id uuid PRIMARY KEY REFERENCES links (id),
  charges_count integer NOT NULL CHECK (charges_count >= 0),
  first_charge_at timestamptz NOT NULL
);
