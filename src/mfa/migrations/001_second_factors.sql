-- Customers' second factors: an authenticator app (TOTP) and one-time codes by SMS to the registered phone.
-- One row per customer and factor; the SMS row appears the first time a code is sent or tried.
CREATE TABLE second_factors (
  customer_id uuid NOT NULL REFERENCES customers (id),
  factor text NOT NULL CHECK (factor IN ('totp', 'sms')),
  -- 'pending': a TOTP secret shown to the customer and not yet confirmed with a code; it verifies nothing.
  status text NOT NULL CHECK (status IN ('pending', 'active')),
  -- SECRET. The TOTP seed (base32). It has to be readable to compute codes, so it cannot be hashed:
  -- never log it, never show it after enrolment, never copy it elsewhere.
  totp_secret text,
  -- The last TOTP time step accepted: a code from that step or an earlier one is a replay (RFC 6238 §5.2).
  totp_time_step_last bigint,
  -- Failed attempts since the last success; at 5 the factor locks (PSD2 RTS Art. 4(3)(b)).
  failures_consecutive integer NOT NULL DEFAULT 0 CHECK (failures_consecutive >= 0),
  -- Set when the factor locked; only an explicit unlock by staff clears it.
  locked_at timestamptz,
  created_at timestamptz NOT NULL,
  enrolled_at timestamptz,
  PRIMARY KEY (customer_id, factor),
  CHECK ((factor = 'totp') = (totp_secret IS NOT NULL))
);
CREATE INDEX second_factors_locked ON second_factors (locked_at) WHERE locked_at IS NOT NULL;

-- One-time codes sent by SMS. Only a salted scrypt hash is kept; a code works once, before it expires.
CREATE TABLE sms_codes (
  id uuid PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers (id),
  -- What the code may approve ('login', 'consent', 'enrol_totp'…): a login code cannot approve a consent.
  purpose text NOT NULL CHECK (char_length(purpose) BETWEEN 1 AND 40),
  code_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  -- Set when the code was accepted, or when a newer code for the same purpose replaced it.
  spent_at timestamptz
);
CREATE INDEX sms_codes_customer ON sms_codes (customer_id, created_at);

-- What happened to factors, for staff and audits: enrolments, locks and explicit unlocks.
CREATE TABLE second_factor_events (
  id uuid PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers (id),
  factor text NOT NULL CHECK (factor IN ('totp', 'sms')),
  event text NOT NULL CHECK (event IN ('enrolled', 'locked', 'unlocked')),
  -- Who caused it: 'customer', 'system' or 'staff:<staff id>'.
  actor text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX second_factor_events_customer ON second_factor_events (customer_id, at);
