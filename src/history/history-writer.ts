import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../storage/database.ts';
import { assert } from '../shared/assert.ts';
import { AccountCode, BANK_CASH_ACCOUNT_ID, TransferCode } from '../bank/chart-of-accounts.ts';
import type { LinkMethod } from '../operators/operator.ts';
import { copyLine, copyTextArray, copyTime } from './copy-text.ts';

/** Lines a table buffers before they go to the database (or, for time-ordered tables, to a month's spill file). */
const LINES_BUFFERED_MAX = 20_000;
/** Lines one COPY call carries: PGlite holds a call's input in memory as one Blob. */
const LINES_PER_COPY_MAX = 200_000;
/** Ledger flags: customer and settlement accounts refuse overdraft (src/ledger). */
const DEBITS_MUST_NOT_EXCEED_CREDITS = 1;

interface TableSpec {
  name: string;
  columns: readonly string[];
}

const TABLES = {
  staff_users: { name: 'staff_users', columns: ['id', 'login_id', 'display_name', 'password_hash', 'created_at', 'role'] },
  operators: { name: 'operators', columns: ['id', 'display_name', 'passbook_label', 'client_id', 'client_secret_hash', 'settlement_account_id', 'link_methods_allowed', 'kyc_level_min', 'created_at'] },
  customers: { name: 'customers', columns: ['id', 'name_kanji', 'name_kana', 'birth_date', 'phone', 'email', 'address', 'login_id', 'password_hash', 'created_at', 'phone_set_at'] },
  bank_accounts: { name: 'bank_accounts', columns: ['id', 'customer_id', 'branch_code', 'account_number', 'pin_hash', 'created_at'] },
  links: { name: 'links', columns: ['id', 'operator_id', 'account_id', 'method', 'status', 'charge_yen_max', 'charges_yen_per_month_max', 'created_at', 'revoked_at', 'revoked_by', 'frozen_at', 'kyc_attestation', 'identity_match_score', 'identity_match_reasons'] },
  link_origins: { name: 'link_origins', columns: ['link_id', 'operator_id', 'account_id', 'customer_id', 'source_ip', 'device_id', 'device_links_24h', 'ip_links_24h', 'device_accounts_30d', 'created_at'] },
  ledger_transfers: { name: 'ledger_transfers', columns: ['id', 'debit_account_id', 'credit_account_id', 'amount_yen', 'code', 'user_data', 'flags', 'created_at'] },
  passbook_labels: { name: 'passbook_labels', columns: ['transfer_id', 'label'] },
  charges: { name: 'charges', columns: ['id', 'operator_id', 'link_id', 'account_id', 'idempotency_key', 'request_hash', 'amount_yen', 'status', 'created_at', 'risk_reasons'] },
  credential_attempts: { name: 'credential_attempts', columns: ['id', 'credential', 'account_key', 'operator_id', 'source_ip', 'device_id', 'secret_fingerprint', 'outcome', 'at'] },
  credential_account_states: { name: 'credential_account_states', columns: ['id', 'credential', 'account_key', 'failures_consecutive', 'customer_id', 'locked_at', 'updated_at'] },
  credential_lock_events: { name: 'credential_lock_events', columns: ['id', 'state_id', 'event', 'actor', 'at'] },
  not_me_reports: { name: 'not_me_reports', columns: ['token_id', 'customer_id', 'link_id', 'charge_id', 'reported_at', 'link_status_before', 'case_id'] },
  cases: { name: 'cases', columns: ['id', 'opened_at', 'kind', 'opened_by', 'summary', 'customer_id', 'link_id', 'operator_id', 'charge_ids', 'status', 'resolution', 'resolved_at', 'resolved_by'] },
} as const satisfies Record<string, TableSpec>;

type TableName = keyof typeof TABLES;

/** Tables written as they come, parents before children (foreign keys). */
const UNORDERED: readonly TableName[] = ['staff_users', 'operators', 'customers', 'bank_accounts', 'links', 'link_origins'];
/** Tables written in time order at the end, as a live bank's heap and commit order would have them. */
const TIME_ORDERED: readonly TableName[] = ['ledger_transfers', 'passbook_labels', 'charges', 'credential_attempts'];
/** Tables written last (they refer to links, charges and staff). */
const AFTERWARDS: readonly TableName[] = ['credential_account_states', 'credential_lock_events', 'cases', 'not_me_reports'];

/** A link as the history records it: where it came from, how it was verified, and what became of it. */
export interface HistoryLink {
  id: string;
  operator_id: string;
  account_id: string;
  customer_id: string;
  method: LinkMethod;
  created_ms: number;
  charge_yen_max: number;
  charges_yen_per_month_max: number;
  source_ip: string;
  device_id: string | null;
  device_links_24h: number | null;
  ip_links_24h: number;
  device_accounts_30d: number | null;
  /** For a FAPI link: the attested KYC level and the identity match against the bank's record. */
  kyc?: { level: string; identity_match_score: number; identity_match_reasons: readonly string[] };
  revoked?: { at_ms: number; by: string };
  /** The customer froze it with "this wasn't me" (and staff have not revoked it). */
  frozen_ms?: number;
}

/**
 * Writes a bank's history straight into its tables with COPY, keeping the ledger consistent: every transfer moves
 * balances that are written at the end (sum over all accounts zero, no overdraft, asserted as it goes). Transfers,
 * charges, passbook lines and sign-ins are written in time order, spilled per month to a temporary folder, so the
 * tables look as a live bank's would. For `furikae lab history` and the scan's tests; only on an empty bank.
 */
export function createHistoryWriter({ db, pin_hash, password_hash }: { db: Database; pin_hash: string; password_hash: string }) {
  assert(db.copyFrom, 'the database can COPY in (both shipped backends can)');
  const copyFrom = db.copyFrom.bind(db);
  const folder = mkdtempSync(join(tmpdir(), 'furikae-history-'));
  const buffers = new Map<TableName, string[]>();
  const months = new Map<TableName, Map<number, string[]>>();
  const balances = new Map<string, { code: number; flags: number; debits: number; credits: number; created_ms: number }>();
  let cash = { debits: 0, credits: 0 };
  let transfers = 0;

  const spillFile = (table: TableName, month: number) => join(folder, `${table}-${month}.copy`);

  async function copy(table: TableName, lines: readonly string[]): Promise<void> {
    for (let start = 0; start < lines.length; start += LINES_PER_COPY_MAX) {
      await copyFrom(TABLES[table].name, TABLES[table].columns, [lines.slice(start, start + LINES_PER_COPY_MAX).join('')]);
    }
  }

  async function flushUnordered(): Promise<void> {
    for (const table of UNORDERED) {
      const lines = buffers.get(table);
      if (lines && lines.length > 0) {
        buffers.set(table, []);
        await copy(table, lines);
      }
    }
  }

  async function add(table: TableName, fields: Parameters<typeof copyLine>[0]): Promise<void> {
    const lines = buffers.get(table) ?? [];
    buffers.set(table, lines);
    lines.push(copyLine(fields));
    if (lines.length >= LINES_BUFFERED_MAX && UNORDERED.includes(table)) await flushUnordered();
  }

  function addTimed(table: TableName, at_ms: number, fields: Parameters<typeof copyLine>[0]): void {
    const month = Math.floor(at_ms / (30 * 24 * 60 * 60 * 1000));
    let byMonth = months.get(table);
    if (!byMonth) months.set(table, (byMonth = new Map()));
    const lines = byMonth.get(month) ?? [];
    byMonth.set(month, lines);
    // The time goes first so the month's lines sort by it; it is cut off before the COPY.
    lines.push(`${String(Math.floor(at_ms)).padStart(15, '0')}${copyLine(fields)}`);
    if (lines.length >= LINES_BUFFERED_MAX) {
      appendFileSync(spillFile(table, month), lines.join(''));
      byMonth.set(month, []);
    }
  }

  function account(id: string, code: number, flags: number, created_ms: number): void {
    assert(!balances.has(id), `ledger account ${id} is new`);
    balances.set(id, { code, flags, debits: 0, credits: 0, created_ms });
  }

  /** Records one posted transfer; false (and nothing written) when it would overdraw a guarded account. */
  function transfer(input: { id: string; debit: string; credit: string; amount_yen: number; code: number; user_data?: string | null; at_ms: number; label: string }): boolean {
    assert(Number.isSafeInteger(input.amount_yen) && input.amount_yen > 0, 'a transfer moves a positive whole number of yen');
    const debit = input.debit === BANK_CASH_ACCOUNT_ID ? undefined : balances.get(input.debit);
    const credit = input.credit === BANK_CASH_ACCOUNT_ID ? undefined : balances.get(input.credit);
    assert(input.debit === BANK_CASH_ACCOUNT_ID || debit, `debit account ${input.debit} exists`);
    assert(input.credit === BANK_CASH_ACCOUNT_ID || credit, `credit account ${input.credit} exists`);
    if (debit && debit.flags & DEBITS_MUST_NOT_EXCEED_CREDITS && debit.debits + input.amount_yen > debit.credits) return false;
    if (debit) debit.debits += input.amount_yen;
    else cash.debits += input.amount_yen;
    if (credit) credit.credits += input.amount_yen;
    else cash.credits += input.amount_yen;
    transfers += 1;
    addTimed('ledger_transfers', input.at_ms, [input.id, input.debit, input.credit, input.amount_yen, input.code, input.user_data ?? null, 0, copyTime(input.at_ms)]);
    addTimed('passbook_labels', input.at_ms, [input.id, input.label]);
    return true;
  }

  return {
    /** A staff member (for cases resolved in the history). */
    staff(input: { id: string; login_id: string; display_name: string; created_ms: number; role: 'viewer' | 'analyst' | 'admin' }) {
      return add('staff_users', [input.id, input.login_id, input.display_name, password_hash, copyTime(input.created_ms), input.role]);
    },

    /** An operator with its settlement account. */
    async operator(input: { id: string; settlement_account_id: string; display_name: string; passbook_label: string; client_id: string; link_methods: readonly LinkMethod[]; created_ms: number }) {
      account(input.settlement_account_id, AccountCode.operator_settlement, DEBITS_MUST_NOT_EXCEED_CREDITS, input.created_ms);
      await add('operators', [input.id, input.display_name, input.passbook_label, input.client_id, password_hash, input.settlement_account_id,
        copyTextArray(input.link_methods), input.link_methods.includes('legacy_pin') ? 'none' : 'ekyc_document_face', copyTime(input.created_ms)]);
    },

    /** A customer and one deposit account. */
    async customer(input: { id: string; account_id: string; name_kanji: string; name_kana: string; birth_date: string; phone: string; email: string;
      login_id: string; branch_code: string; account_number: string; created_ms: number }) {
      await add('customers', [input.id, input.name_kanji, input.name_kana, input.birth_date, input.phone, input.email, '東京都', input.login_id, password_hash, copyTime(input.created_ms), copyTime(input.created_ms)]);
      await add('bank_accounts', [input.account_id, input.id, input.branch_code, input.account_number, pin_hash, copyTime(input.created_ms)]);
      account(input.account_id, AccountCode.customer_deposit, DEBITS_MUST_NOT_EXCEED_CREDITS, input.created_ms);
    },

    /** Cash paid in. */
    deposit(input: { id: string; account_id: string; amount_yen: number; at_ms: number; label?: string }) {
      const moved = transfer({ id: input.id, debit: BANK_CASH_ACCOUNT_ID, credit: input.account_id, amount_yen: input.amount_yen, code: TransferCode.deposit, at_ms: input.at_ms, label: input.label ?? '入金' });
      assert(moved, 'a deposit never overdraws: the cash account has no such guard');
    },

    /** Cash paid out; false when the balance is too low. */
    withdrawal(input: { id: string; account_id: string; amount_yen: number; at_ms: number }): boolean {
      return transfer({ id: input.id, debit: input.account_id, credit: BANK_CASH_ACCOUNT_ID, amount_yen: input.amount_yen, code: TransferCode.withdrawal, at_ms: input.at_ms, label: 'ATM' });
    },

    /** The account's posted balance so far. */
    balance(account_id: string): number {
      const found = balances.get(account_id);
      assert(found, `account ${account_id} exists`);
      return found.credits - found.debits;
    },

    /** A link and where it came from. */
    async link(link: HistoryLink) {
      const status = link.revoked ? 'revoked' : link.frozen_ms !== undefined ? 'frozen' : 'active';
      await add('links', [link.id, link.operator_id, link.account_id, link.method, status, link.charge_yen_max, link.charges_yen_per_month_max,
        copyTime(link.created_ms), link.revoked ? copyTime(link.revoked.at_ms) : null, link.revoked?.by ?? null,
        link.frozen_ms !== undefined ? copyTime(link.frozen_ms) : null,
        link.kyc ? JSON.stringify({ kyc: { level: link.kyc.level } }) : null, link.kyc?.identity_match_score ?? null,
        link.kyc ? copyTextArray(link.kyc.identity_match_reasons) : null]);
      await add('link_origins', [link.id, link.operator_id, link.account_id, link.customer_id, link.source_ip, link.device_id,
        link.device_links_24h, link.ip_links_24h, link.device_accounts_30d, copyTime(link.created_ms)]);
    },

    /** A charge whose money moved: the charge row, its ledger transfer (same id) and its passbook line; false when the balance is too low. */
    charge(input: { id: string; link_id: string; operator_id: string; settlement_account_id: string; account_id: string; amount_yen: number; at_ms: number; label: string }): boolean {
      const moved = transfer({ id: input.id, debit: input.account_id, credit: input.settlement_account_id, amount_yen: input.amount_yen, code: TransferCode.charge,
        user_data: input.link_id, at_ms: input.at_ms, label: input.label });
      if (moved) {
        addTimed('charges', input.at_ms, [input.id, input.operator_id, input.link_id, input.account_id, `history-${input.id}`, input.id.replace(/-/g, ''),
          input.amount_yen, 'succeeded', copyTime(input.at_ms), '{}']);
      }
      return moved;
    },

    /** An attempt at a credential: a sign-in to the bank's pages, or a failed PIN or password. */
    credentialAttempt(input: { id: string; credential: 'legacy_pin' | 'password'; account_key: string; operator_id?: string | null; source_ip: string; device_id?: string | null; outcome: 'success' | 'failure'; at_ms: number }) {
      addTimed('credential_attempts', input.at_ms, [input.id, input.credential, input.account_key, input.operator_id ?? null, input.source_ip, input.device_id ?? null,
        'history', input.outcome, copyTime(input.at_ms)]);
    },

    /** A credential locked after failures (staff never unlocked it in the history). */
    async lock(input: { state_id: string; event_id: string; credential: 'legacy_pin' | 'password'; account_key: string; customer_id: string; at_ms: number }) {
      await add('credential_account_states', [input.state_id, input.credential, input.account_key, 0, input.customer_id, copyTime(input.at_ms), copyTime(input.at_ms)]);
      await add('credential_lock_events', [input.event_id, input.state_id, 'locked', 'system', copyTime(input.at_ms)]);
    },

    /** A "this wasn't me" report. */
    notMe(input: { token_id: string; customer_id: string; link_id: string; charge_id: string | null; at_ms: number; case_id?: string | null }) {
      return add('not_me_reports', [input.token_id, input.customer_id, input.link_id, input.charge_id, copyTime(input.at_ms), 'active', input.case_id ?? null]);
    },

    /** A case staff opened and resolved. */
    resolvedCase(input: { id: string; customer_id: string; link_id: string; operator_id: string; charge_ids: readonly string[]; opened_ms: number; resolved_ms: number;
      resolution: 'fraud' | 'legitimate'; staff_id: string; summary: string }) {
      return add('cases', [input.id, copyTime(input.opened_ms), 'fraud_review', `staff:${input.staff_id}`, input.summary, input.customer_id, input.link_id, input.operator_id,
        `{${input.charge_ids.join(',')}}`, 'resolved', input.resolution, copyTime(input.resolved_ms), input.staff_id]);
    },

    /** How many transfers were recorded. */
    get transfers_count() {
      return transfers;
    },

    /** Writes everything left: the time-ordered tables month by month, the balances, then the rows that refer to them. */
    async finish(): Promise<void> {
      try {
        await flushUnordered();
        for (const table of TIME_ORDERED) {
          const byMonth = months.get(table) ?? new Map<number, string[]>();
          const keys = [...new Set([...byMonth.keys()])].sort((a, b) => a - b);
          for (const month of keys) {
            const file = spillFile(table, month);
            const spilled = existsSync(file) ? readFileSync(file, 'utf8') : '';
            const lines = (spilled + (byMonth.get(month) ?? []).join('')).split('\n').filter((line) => line.length > 0);
            // Stable sort: lines of one millisecond keep the order they were recorded in.
            lines.sort((a, b) => (a.slice(0, 15) < b.slice(0, 15) ? -1 : a.slice(0, 15) > b.slice(0, 15) ? 1 : 0));
            await copy(table, lines.map((line) => `${line.slice(15)}\n`));
          }
        }
        const accounts = [...balances.entries()].map(([id, row]) =>
          copyLine([id, row.code, row.flags, row.debits, row.credits, copyTime(row.created_ms)]));
        for (let start = 0; start < accounts.length; start += LINES_PER_COPY_MAX) {
          await copyFrom('ledger_accounts', ['id', 'code', 'flags', 'debits_posted', 'credits_posted', 'created_at'], [accounts.slice(start, start + LINES_PER_COPY_MAX).join('')]);
        }
        await db.query(
          `INSERT INTO ledger_accounts (id, code, flags, debits_posted, credits_posted, created_at) VALUES ($1, $2, 0, $3, $4, now())
           ON CONFLICT (id) DO UPDATE SET debits_posted = ledger_accounts.debits_posted + EXCLUDED.debits_posted,
                                          credits_posted = ledger_accounts.credits_posted + EXCLUDED.credits_posted`,
          [BANK_CASH_ACCOUNT_ID, AccountCode.bank_cash, cash.debits, cash.credits]);
        cash = { debits: 0, credits: 0 };
        for (const table of AFTERWARDS) {
          const lines = buffers.get(table);
          if (lines && lines.length > 0) await copy(table, lines);
          buffers.set(table, []);
        }
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  };
}

export type HistoryWriter = ReturnType<typeof createHistoryWriter>;
