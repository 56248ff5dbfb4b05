-- Bank customers and their deposit accounts. Balances live in the ledger (ledger_accounts, same id).
CREATE TABLE customers (
  id uuid PRIMARY KEY,
  name_kanji text NOT NULL,
  name_kana text NOT NULL,
  birth_date date NOT NULL,
  phone text NOT NULL,
  email text NOT NULL,
  address text NOT NULL,
  -- Internet-banking login: a password, never the 4-digit cash-card PIN.
  login_id text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE bank_accounts (
  id uuid PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers (id),
  branch_code char(3) NOT NULL CHECK (branch_code ~ '^[0-9]{3}$'),
  account_number char(7) NOT NULL CHECK (account_number ~ '^[0-9]{7}$'),
  -- Cash-card PIN, scrypt-hashed (src/shared/secret-hash.ts).
  pin_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (branch_code, account_number)
);
CREATE INDEX bank_accounts_customer ON bank_accounts (customer_id);

-- The label a passbook prints for a transfer ("ドコモ口座", "ATM", "振込入金"), fixed when the money moved.
CREATE TABLE passbook_labels (
  transfer_id uuid PRIMARY KEY,
  label text NOT NULL
);
