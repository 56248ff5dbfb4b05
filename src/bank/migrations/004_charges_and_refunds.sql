-- A charge is a pull from a linked bank account into the operator's settlement account.
-- Its id is also the id of its ledger transfer.
CREATE TABLE charges (
  id uuid PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators (id),
  link_id uuid NOT NULL REFERENCES links (id),
  account_id uuid NOT NULL REFERENCES bank_accounts (id),
  idempotency_key text NOT NULL,
  -- SHA-256 of the request body, so a replayed key with another body is caught.
  request_hash text NOT NULL,
  amount_yen bigint NOT NULL CHECK (amount_yen > 0),
  refunded_yen bigint NOT NULL DEFAULT 0 CHECK (refunded_yen >= 0 AND refunded_yen <= amount_yen),
  description text,
  status text NOT NULL CHECK (status IN ('succeeded')),
  created_at timestamptz NOT NULL,
  UNIQUE (operator_id, idempotency_key)
);
CREATE INDEX charges_link ON charges (link_id, id);
CREATE INDEX charges_operator ON charges (operator_id, id);

CREATE TABLE refunds (
  id uuid PRIMARY KEY,
  charge_id uuid NOT NULL REFERENCES charges (id),
  operator_id uuid NOT NULL REFERENCES operators (id),
  idempotency_key text NOT NULL,
  request_hash text NOT NULL,
  amount_yen bigint NOT NULL CHECK (amount_yen > 0),
  created_at timestamptz NOT NULL,
  UNIQUE (operator_id, idempotency_key)
);
CREATE INDEX refunds_charge ON refunds (charge_id);
