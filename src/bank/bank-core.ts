import type { Database, Queryable } from '../storage/database.ts';
import type { Ledger, CreateTransferResult } from '../ledger/ledger-types.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { assert } from '../shared/assert.ts';
import { isAmountYen } from '../shared/yen.ts';
import { hashSecret } from '../shared/secret-hash.ts';
import { AccountCode, BANK_CASH_ACCOUNT_ID, BANK_FRAUD_LOSS_ACCOUNT_ID, COMPENSATION_CLEARING_ACCOUNT_ID, TransferCode } from './chart-of-accounts.ts';

export interface NewCustomer {
  name_kanji: string;
  name_kana: string;
  birth_date: string;
  phone: string;
  email: string;
  address: string;
  login_id: string;
  password: string;
}

export interface Customer {
  id: string;
  name_kanji: string;
  name_kana: string;
  birth_date: string;
  phone: string;
  email: string;
  address: string;
  login_id: string;
}

export interface BankAccount {
  id: string;
  customer_id: string;
  branch_code: string;
  account_number: string;
}

export interface BankCoreDeps {
  db: Database;
  ledger: Ledger;
  clock: Clock;
  ids: Ids;
}

/** Outcome of a cash movement: the ledger's own result value, never a throw for a refusal. */
export type CashResult = { ok: true; transfer_id: string } | { ok: false; result: CreateTransferResult };

const CUSTOMER_COLUMNS = `id, name_kanji, name_kana, birth_date::text AS birth_date, phone, email, address, login_id`;

/** Writes a ledger transfer and its passbook label in one transaction. */
export async function transferWithLabel(
  tx: Queryable,
  ledger: Ledger,
  transfer: Parameters<Ledger['applyTransfers']>[1][number],
  label: string,
): Promise<CreateTransferResult> {
  const [result] = await ledger.applyTransfers(tx, [transfer]);
  assert(result !== undefined, 'ledger answered every transfer');
  if (result === 'ok') await tx.query(`INSERT INTO passbook_labels (transfer_id, label) VALUES ($1, $2)`, [transfer.id, label]);
  return result;
}

/** The bank's core: customers, deposit accounts with PINs, and cash in and out. */
export function createBankCore({ db, ledger, clock, ids }: BankCoreDeps) {
  return {
    /** Creates the bank's own accounts (cash, fraud loss, compensation clearing) once; safe to call at every start. */
    async ensureBankAccounts(): Promise<void> {
      const results = await ledger.createAccounts([
        { id: BANK_CASH_ACCOUNT_ID, code: AccountCode.bank_cash },
        { id: BANK_FRAUD_LOSS_ACCOUNT_ID, code: AccountCode.bank_fraud_loss },
        { id: COMPENSATION_CLEARING_ACCOUNT_ID, code: AccountCode.compensation_clearing, flags: { debits_must_not_exceed_credits: true } },
      ]);
      for (const result of results) assert(result === 'ok' || result === 'exists', `bank's own account: ${result}`);
    },

    /** Registers a customer with an internet-banking password. */
    async openCustomer(input: NewCustomer): Promise<Customer> {
      const id = ids.next();
      const password_hash = await hashSecret(input.password);
      const [row] = await db.query<Customer>(
        `INSERT INTO customers (id, name_kanji, name_kana, birth_date, phone, email, address, login_id, password_hash, created_at, phone_set_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING ${CUSTOMER_COLUMNS}`,
        [id, input.name_kanji, input.name_kana, input.birth_date, input.phone, input.email, input.address, input.login_id, password_hash, clock.now()],
      );
      assert(row, 'customer inserted');
      return row;
    },

    /** Opens a deposit account with a cash-card PIN; the ledger account shares its id. */
    async openAccount(input: { customer_id: string; branch_code: string; account_number: string; pin: string }): Promise<BankAccount> {
      assert(/^[0-9]{4}$/.test(input.pin), 'a cash-card PIN is four digits');
      const id = ids.next();
      const [created] = await ledger.createAccounts([
        { id, code: AccountCode.customer_deposit, flags: { debits_must_not_exceed_credits: true } },
      ]);
      assert(created === 'ok', `ledger account for a new bank account: ${created}`);
      const pin_hash = await hashSecret(input.pin);
      await db.query(
        `INSERT INTO bank_accounts (id, customer_id, branch_code, account_number, pin_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, input.customer_id, input.branch_code, input.account_number, pin_hash, clock.now()],
      );
      return { id, customer_id: input.customer_id, branch_code: input.branch_code, account_number: input.account_number };
    },

    /** Cash paid in at a branch or ATM. */
    async deposit(account_id: string, amount_yen: number, label = '入金'): Promise<CashResult> {
      assert(isAmountYen(amount_yen), 'deposit amount is a positive whole number of yen');
      const transfer_id = ids.next();
      const transfer = { id: transfer_id, debit_account_id: BANK_CASH_ACCOUNT_ID, credit_account_id: account_id, amount_yen, code: TransferCode.deposit };
      const result = await db.transaction((tx) => transferWithLabel(tx, ledger, transfer, label));
      return result === 'ok' ? { ok: true, transfer_id } : { ok: false, result };
    },

    /** Cash paid out; refused with `exceeds_credits` beyond the balance. */
    async withdraw(account_id: string, amount_yen: number, label = 'ATM'): Promise<CashResult> {
      assert(isAmountYen(amount_yen), 'withdrawal amount is a positive whole number of yen');
      const transfer_id = ids.next();
      const transfer = { id: transfer_id, debit_account_id: account_id, credit_account_id: BANK_CASH_ACCOUNT_ID, amount_yen, code: TransferCode.withdrawal };
      const result = await db.transaction((tx) => transferWithLabel(tx, ledger, transfer, label));
      return result === 'ok' ? { ok: true, transfer_id } : { ok: false, result };
    },

    /** Posted balance of one account. */
    async balance(account_id: string): Promise<number> {
      const [account] = await ledger.lookupAccounts([account_id]);
      assert(account, `ledger account ${account_id} exists`);
      return account.credits_posted - account.debits_posted;
    },

    async findCustomerByLogin(login_id: string): Promise<(Customer & { password_hash: string }) | undefined> {
      const [row] = await db.query<Customer & { password_hash: string }>(
        `SELECT ${CUSTOMER_COLUMNS}, password_hash FROM customers WHERE login_id = $1`, [login_id]);
      return row;
    },

    async getCustomer(id: string): Promise<Customer | undefined> {
      const [row] = await db.query<Customer>(`SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE id = $1`, [id]);
      return row;
    },

    async listCustomers(limit: number): Promise<Customer[]> {
      return db.query<Customer>(`SELECT ${CUSTOMER_COLUMNS} FROM customers ORDER BY id LIMIT $1`, [limit]);
    },

    async accountsOf(customer_id: string): Promise<BankAccount[]> {
      return db.query<BankAccount>(
        `SELECT id, customer_id, branch_code, account_number FROM bank_accounts WHERE customer_id = $1 ORDER BY id`, [customer_id]);
    },
  };
}

export type BankCore = ReturnType<typeof createBankCore>;
