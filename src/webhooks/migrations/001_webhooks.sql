-- Operators learn a waiting charge's outcome by a signed webhook (and by polling GET /v1/charges/{id}).
CREATE TABLE operator_webhooks (
  operator_id uuid PRIMARY KEY REFERENCES operators (id),
  url text NOT NULL CHECK (char_length(url) BETWEEN 8 AND 2000),
  -- SECRET. The HMAC-SHA256 key deliveries are signed with. It must be readable to sign, so it cannot be
  -- hashed: never log it, never show it again after registration (a new registration rotates it).
  secret text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Deliveries, written in the same transaction as the change they report (a transactional outbox), then sent
-- by the dispatcher with retries and exponential back-off. `body` is the exact JSON that is signed and sent.
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators (id),
  event_type text NOT NULL CHECK (event_type ~ '^[a-z_]+\.[a-z_]+$'),
  charge_id uuid,
  body text NOT NULL,
  created_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- When the dispatcher may next try; a claimed delivery is pushed forward by a lease so only one process sends it.
  next_attempt_at timestamptz NOT NULL,
  delivered_at timestamptz,
  -- Set when the attempts ran out: staff can see the operator never heard.
  failed_at timestamptz,
  last_status integer,
  last_error text CHECK (char_length(last_error) <= 500)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_deliveries_charge ON webhook_deliveries (charge_id);
