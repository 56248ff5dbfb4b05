-- The ledger's tables, after TigerBeetle: accounts carry four running balances; transfers are immutable
-- rows whose id is the client's idempotency key; the state of a two-phase transfer lives beside it.
--
-- Account flags (bit mask): 1 = debits_must_not_exceed_credits, 2 = credits_must_not_exceed_debits.
-- Transfer flags (bit mask): 1 = pending, 2 = post_pending_transfer, 4 = void_pending_transfer.

CREATE TABLE ledger_accounts (
  id uuid PRIMARY KEY,
  code integer NOT NULL,
  flags integer NOT NULL,
  debits_pending bigint NOT NULL DEFAULT 0,
  debits_posted bigint NOT NULL DEFAULT 0,
  credits_pending bigint NOT NULL DEFAULT 0,
  credits_posted bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  CONSTRAINT ledger_accounts_flags_known CHECK (flags >= 0 AND flags <= 3),
  CONSTRAINT ledger_accounts_flags_exclusive CHECK (flags <> 3),
  CONSTRAINT ledger_accounts_balances_not_negative
    CHECK (debits_pending >= 0 AND debits_posted >= 0 AND credits_pending >= 0 AND credits_posted >= 0),
  -- Defence in depth: the engine refuses an overdraft before writing; these refuse it again if a bug lets one through.
  CONSTRAINT ledger_accounts_debits_must_not_exceed_credits
    CHECK (flags & 1 = 0 OR debits_pending + debits_posted <= credits_posted),
  CONSTRAINT ledger_accounts_credits_must_not_exceed_debits
    CHECK (flags & 2 = 0 OR credits_pending + credits_posted <= debits_posted)
);

-- No foreign keys to ledger_accounts: each would cost a lookup and a row lock per transfer on insert,
-- and the engine already holds every touched account FOR UPDATE and refuses unknown ones.
-- Accounts are never deleted, so nothing can dangle.
CREATE TABLE ledger_transfers (
  id uuid PRIMARY KEY,
  debit_account_id uuid NOT NULL,
  credit_account_id uuid NOT NULL,
  -- For a post: the amount posted; for a void: the amount released.
  amount_yen bigint NOT NULL CHECK (amount_yen > 0),
  pending_id uuid NULL,
  code integer NOT NULL,
  user_data uuid NULL,
  flags integer NOT NULL CHECK (flags IN (0, 1, 2, 4)),
  timeout_seconds integer NOT NULL DEFAULT 0 CHECK (timeout_seconds >= 0),
  created_at timestamptz NOT NULL,
  -- Commit order within one writer; orders history where created_at ties inside a batch.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  CONSTRAINT ledger_transfers_accounts_different CHECK (debit_account_id <> credit_account_id),
  CONSTRAINT ledger_transfers_pending_id_with_post_or_void CHECK ((flags & 6 <> 0) = (pending_id IS NOT NULL))
);

-- accountHistory reads only posted lines (single-phase transfers and posts), newest first from the index;
-- partial indexes skip pending and void rows, which a passbook never prints.
CREATE INDEX ledger_transfers_debit_history ON ledger_transfers (debit_account_id, seq) WHERE flags & 5 = 0;
CREATE INDEX ledger_transfers_credit_history ON ledger_transfers (credit_account_id, seq) WHERE flags & 5 = 0;

-- Transfers are never updated, so what happened to a pending one is kept here, keyed by its id.
CREATE TABLE ledger_pending_transfers (
  id uuid PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('pending', 'posted', 'voided', 'expired')),
  -- Null when the pending transfer never times out.
  expires_at timestamptz NULL,
  -- The post or void transfer that settled it; null while pending and when it expired.
  settled_by uuid NULL,
  CONSTRAINT ledger_pending_transfers_settled CHECK ((state IN ('posted', 'voided')) = (settled_by IS NOT NULL))
);

-- expirePendingTransfers scans only live reservations that can time out.
CREATE INDEX ledger_pending_transfers_expiry ON ledger_pending_transfers (expires_at)
  WHERE state = 'pending' AND expires_at IS NOT NULL;
