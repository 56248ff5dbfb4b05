-- Bulk outreach: one templated notice to a segment of customers ("check your passbook for these lines"), written
-- into the notification outbox set-based and sent behind ordinary notices at a configured rate.
CREATE TABLE campaigns (
  id uuid PRIMARY KEY,
  incident_id uuid NOT NULL REFERENCES incidents (id),
  -- Who gets it: customers with a link to one operator, customers with a legacy-PIN link, or the customers a scan found.
  segment_kind text NOT NULL CHECK (segment_kind IN ('operator', 'legacy_pin', 'scan')),
  segment_operator_id uuid REFERENCES operators (id),
  segment_scan_id uuid,
  -- The passbook labels the notice asks customers to look for.
  passbook_labels text[] NOT NULL CHECK (cardinality(passbook_labels) BETWEEN 1 AND 10),
  -- What staff add to the bank's template, in both languages; never a link (checked before it is stored).
  message_ja text NOT NULL CHECK (char_length(message_ja) <= 1000),
  message_en text NOT NULL CHECK (char_length(message_en) <= 1000),
  -- enqueuing: its notices are being written; running: being sent; paused; cancelled; completed: every notice settled.
  status text NOT NULL CHECK (status IN ('enqueuing', 'running', 'paused', 'cancelled', 'completed')),
  created_at timestamptz NOT NULL,
  created_by uuid NOT NULL REFERENCES staff_users (id),
  enqueued_at timestamptz,
  enqueued_count integer NOT NULL DEFAULT 0 CHECK (enqueued_count >= 0),
  -- Delivery counts, kept in the same transactions as the outbox rows they count.
  sent_count integer NOT NULL DEFAULT 0 CHECK (sent_count >= 0),
  failed_count integer NOT NULL DEFAULT 0 CHECK (failed_count >= 0),
  uncertain_count integer NOT NULL DEFAULT 0 CHECK (uncertain_count >= 0),
  cancelled_count integer NOT NULL DEFAULT 0 CHECK (cancelled_count >= 0),
  status_changed_at timestamptz NOT NULL,
  status_changed_by uuid REFERENCES staff_users (id),
  completed_at timestamptz,
  CHECK ((segment_kind = 'operator') = (segment_operator_id IS NOT NULL)),
  CHECK ((segment_kind = 'scan') = (segment_scan_id IS NOT NULL)),
  -- Written once, in one statement: enqueued_at is set exactly when it left enqueuing (unless cancelled first).
  CHECK (status <> 'enqueuing' OR enqueued_at IS NULL),
  CHECK (enqueued_at IS NOT NULL OR status IN ('enqueuing', 'cancelled')),
  CHECK (sent_count + failed_count + uncertain_count + cancelled_count <= enqueued_count)
);
CREATE INDEX campaigns_incident ON campaigns (incident_id, created_at);
-- Campaigns with work left for the senders: writing, sending, paused, or cancelled with notices still to sweep.
CREATE INDEX campaigns_active ON campaigns (created_at) WHERE status IN ('enqueuing', 'running', 'paused', 'cancelled');

-- The shared token bucket that paces bulk notices across every bank process: one row.
CREATE TABLE campaign_send_rate (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  tokens double precision NOT NULL CHECK (tokens >= 0),
  refilled_at timestamptz NOT NULL
);
INSERT INTO campaign_send_rate (id, tokens, refilled_at) VALUES (true, 0, '2000-01-01T00:00:00Z');

-- Time-ordered ids (UUIDv7, RFC 9562) made in SQL, for the million outbox rows one campaign writes in one statement:
-- the milliseconds of `at` (the injected clock's time, passed in) then random bits, with the version set to 7.
CREATE FUNCTION furikae_uuid_v7(at timestamptz) RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
           PLACING substring(int8send(floor(extract(epoch FROM at) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$;
