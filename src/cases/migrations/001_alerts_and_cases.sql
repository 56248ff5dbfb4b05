-- Cases: a question staff must answer about a customer, a link or some charges. A fraud review starts from
-- alerts; a dispute starts when a customer says "this wasn't me". Resolved as fraud or legitimate.
CREATE TABLE cases (
  id uuid PRIMARY KEY,
  opened_at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind IN ('fraud_review', 'dispute')),
  -- Who opened it: 'system', 'customer', or 'staff:<staff id>'.
  opened_by text NOT NULL CHECK (opened_by ~ '^(system|customer|staff:[0-9a-f-]{36})$'),
  summary text NOT NULL CHECK (char_length(summary) BETWEEN 1 AND 500),
  customer_id uuid REFERENCES customers (id),
  -- No foreign keys on link, operator and charges: a case may be opened inside the batch that is about to
  -- write them, or about a charge that was denied and never written.
  link_id uuid,
  operator_id uuid,
  charge_ids uuid[] NOT NULL DEFAULT ARRAY[]::uuid[],
  status text NOT NULL CHECK (status IN ('open', 'resolved')),
  assignee_staff_id uuid REFERENCES staff_users (id),
  resolution text CHECK (resolution IN ('fraud', 'legitimate')),
  resolved_at timestamptz,
  resolved_by uuid REFERENCES staff_users (id),
  CHECK ((status = 'open') = (resolution IS NULL AND resolved_at IS NULL AND resolved_by IS NULL)),
  CHECK (status = 'open' OR (resolution IS NOT NULL AND resolved_at IS NOT NULL AND resolved_by IS NOT NULL))
);
CREATE INDEX cases_open ON cases (opened_at) WHERE status = 'open';
CREATE INDEX cases_customer ON cases (customer_id, opened_at);
CREATE INDEX cases_link ON cases (link_id);

-- Something staff should look at, raised by the risk pipeline, the credential throttle or a customer.
CREATE TABLE alerts (
  id uuid PRIMARY KEY,
  at timestamptz NOT NULL,
  -- e.g. 'risk_hold', 'risk_deny', 'credential_reverse_brute_force', 'not_me' (src/cases/alert.ts).
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{1,62}$'),
  severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
  summary text CHECK (char_length(summary) <= 500),
  customer_id uuid,
  link_id uuid,
  charge_id uuid,
  operator_id uuid,
  reason_codes text[] NOT NULL DEFAULT ARRAY[]::text[],
  details jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL CHECK (status IN ('open', 'acknowledged', 'closed')),
  status_changed_at timestamptz,
  status_changed_by uuid REFERENCES staff_users (id),
  case_id uuid REFERENCES cases (id)
);
CREATE INDEX alerts_active ON alerts (at) WHERE status <> 'closed';
CREATE INDEX alerts_customer ON alerts (customer_id, at);
CREATE INDEX alerts_charge ON alerts (charge_id);
CREATE INDEX alerts_case ON alerts (case_id);

CREATE TABLE case_notes (
  id uuid PRIMARY KEY,
  case_id uuid NOT NULL REFERENCES cases (id),
  at timestamptz NOT NULL,
  staff_id uuid NOT NULL REFERENCES staff_users (id),
  text text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 2000)
);
CREATE INDEX case_notes_case ON case_notes (case_id, at);
