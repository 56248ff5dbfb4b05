-- Every staff action, append-only and hash-chained: each entry's hash covers the previous entry's hash,
-- so editing or deleting any entry breaks every hash after it (`furikae audit verify`).
CREATE TABLE audit_log (
  -- Gapless position in the chain; appends serialise on an advisory lock, and UNIQUE refuses a fork.
  seq bigint PRIMARY KEY CHECK (seq > 0),
  id uuid NOT NULL UNIQUE,
  at timestamptz NOT NULL,
  staff_id uuid NOT NULL REFERENCES staff_users (id),
  -- What was done, e.g. 'operator.switch', 'case.resolve'.
  action text NOT NULL CHECK (action ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)+$'),
  -- What it was done to: an operator, case, alert or customer id, or a lock id.
  subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 200),
  -- Why, in the staff member's own words (required for kill switches).
  reason text CHECK (char_length(reason) <= 1000),
  details jsonb NOT NULL,
  prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX audit_log_subject ON audit_log (subject, seq);

-- Append-only in the database too: the application never updates or deletes an entry, and neither may
-- anyone with ordinary access. (An attacker who disables the trigger is caught by the chain instead.)
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
