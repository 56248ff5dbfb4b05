-- How an operator and the bank share the cost of compensating its customers' fraud losses: a per-operator
-- agreement, edited by an admin with a reason. No row: the operator bears it all (100 %).
CREATE TABLE compensation_agreements (
  operator_id uuid PRIMARY KEY REFERENCES operators (id),
  operator_share_percent integer NOT NULL CHECK (operator_share_percent BETWEEN 0 AND 100),
  updated_at timestamptz NOT NULL,
  updated_by uuid NOT NULL REFERENCES staff_users (id),
  reason text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 200)
);

-- Compensation for one customer's fraudulent charges through one operator (one passbook line, one webhook): proposed
-- by one staff member (maker), approved by another (checker), then paid as ledger transfers.
CREATE TABLE compensations (
  id uuid PRIMARY KEY,
  incident_id uuid NOT NULL REFERENCES incidents (id),
  customer_id uuid NOT NULL REFERENCES customers (id),
  -- The deposit account the charges came from and the compensation goes back to.
  account_id uuid NOT NULL REFERENCES bank_accounts (id),
  operator_id uuid NOT NULL REFERENCES operators (id),
  -- Where the proposal came from: a case resolved as fraud, or a retrospective scan's result.
  source text NOT NULL CHECK (source IN ('case', 'scan')),
  case_id uuid REFERENCES cases (id),
  scan_id uuid,
  amount_yen bigint NOT NULL CHECK (amount_yen > 0),
  -- The agreement as it stood at the proposal: the checker approves exactly these figures.
  operator_share_percent integer NOT NULL CHECK (operator_share_percent BETWEEN 0 AND 100),
  operator_yen bigint NOT NULL CHECK (operator_yen >= 0),
  bank_yen bigint NOT NULL CHECK (bank_yen >= 0),
  status text NOT NULL CHECK (status IN ('proposed', 'approved', 'paid', 'rejected')),
  proposed_at timestamptz NOT NULL,
  proposed_by uuid NOT NULL REFERENCES staff_users (id),
  note text CHECK (char_length(note) <= 500),
  approved_at timestamptz,
  approved_by uuid REFERENCES staff_users (id),
  rejected_at timestamptz,
  rejected_by uuid REFERENCES staff_users (id),
  rejection_reason text CHECK (char_length(rejection_reason) <= 200),
  paid_at timestamptz,
  -- Fixed at the proposal, so paying again (a second approval, a restart after a crash) finds them in the ledger.
  operator_transfer_id uuid NOT NULL UNIQUE,
  bank_transfer_id uuid NOT NULL UNIQUE,
  payout_transfer_id uuid NOT NULL UNIQUE,
  -- Why the last attempt to pay did not (the operator's settlement account could not cover its share).
  payment_error text CHECK (char_length(payment_error) <= 200),
  CHECK (operator_yen + bank_yen = amount_yen),
  CHECK ((source = 'case') = (case_id IS NOT NULL)),
  CHECK ((source = 'scan') = (scan_id IS NOT NULL)),
  -- Four eyes, in the schema too: whoever approves did not propose.
  CHECK (approved_by IS NULL OR approved_by <> proposed_by),
  CHECK ((status IN ('approved', 'paid')) = (approved_at IS NOT NULL AND approved_by IS NOT NULL)),
  CHECK ((status = 'paid') = (paid_at IS NOT NULL)),
  CHECK ((status = 'rejected') = (rejected_at IS NOT NULL AND rejected_by IS NOT NULL))
);
CREATE INDEX compensations_incident ON compensations (incident_id, proposed_at);
CREATE INDEX compensations_unpaid ON compensations (approved_at) WHERE status = 'approved';
CREATE INDEX compensations_customer ON compensations (customer_id);

-- The charges a compensation covers and how much of each. A charge is in at most one live proposal: a rejected
-- proposal lets go of its charges (live = false) so they can be proposed again.
CREATE TABLE compensation_charges (
  compensation_id uuid NOT NULL REFERENCES compensations (id),
  charge_id uuid NOT NULL REFERENCES charges (id),
  amount_yen bigint NOT NULL CHECK (amount_yen > 0),
  live boolean NOT NULL DEFAULT true,
  PRIMARY KEY (compensation_id, charge_id)
);
CREATE UNIQUE INDEX compensation_charges_live ON compensation_charges (charge_id) WHERE live;
