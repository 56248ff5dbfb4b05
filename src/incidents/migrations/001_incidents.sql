-- An incident ties together what the bank does after a theft: switch flips, scans, cases, compensation, outreach
-- and the regulator's report. Its timeline is read from those records (and the audit log), never kept twice.
CREATE TABLE incidents (
  id uuid PRIMARY KEY,
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  -- Scope: the operators involved (empty: every operator) and the period the thefts may span, in Japan dates.
  operator_ids uuid[] NOT NULL DEFAULT ARRAY[]::uuid[],
  period_from date NOT NULL,
  period_to date NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'contained', 'remediated', 'closed')),
  owner_staff_id uuid NOT NULL REFERENCES staff_users (id),
  opened_at timestamptz NOT NULL,
  opened_by uuid NOT NULL REFERENCES staff_users (id),
  status_changed_at timestamptz NOT NULL,
  closed_at timestamptz,
  CHECK (period_from <= period_to),
  CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX incidents_open ON incidents (opened_at) WHERE status <> 'closed';

-- Cases staff attached to an incident (cases opened from the incident's scans belong to it through the scan).
CREATE TABLE incident_cases (
  incident_id uuid NOT NULL REFERENCES incidents (id),
  case_id uuid NOT NULL REFERENCES cases (id),
  attached_at timestamptz NOT NULL,
  attached_by uuid NOT NULL REFERENCES staff_users (id),
  PRIMARY KEY (incident_id, case_id)
);
CREATE INDEX incident_cases_case ON incident_cases (case_id);
