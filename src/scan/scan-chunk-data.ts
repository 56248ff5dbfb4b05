import type { Database } from '../storage/database.ts';
import { assert } from '../shared/assert.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import { TransferCode } from '../bank/chart-of-accounts.ts';
import type { LinkMethod } from '../operators/operator.ts';
import { CREDENTIAL_FAILURE_LOOKBACK_MS, CREDENTIAL_LOCK_LOOKBACK_MS, CREDENTIAL_ATTACK_LOOKBACK_MS } from '../risk/credential-history.ts';

/**
 * How far past the window the ledger is read: a drain that started inside the window is judged on the days after
 * the link even when they fall outside it. A scan config's drain period may not exceed this.
 */
export const SCAN_LOOKAHEAD_MS = 31 * 24 * 60 * 60 * 1000;

/** A customer's deposit account in the chunk. */
export interface ChunkAccount {
  id: string;
  customer_id: string;
  opened_ms: number;
  birth_date: string;
}

/** A link on one of the chunk's accounts, with where it came from and what the bank knows about it now. */
export interface ChunkLink {
  id: string;
  account_id: string;
  customer_id: string;
  operator_id: string;
  method: LinkMethod;
  created_ms: number;
  revoked_ms: number | null;
  charge_yen_max: number;
  kyc_level: string | null;
  identity_match_score: number | null;
  identity_match_reasons: string[] | null;
  device_id: string | null;
  source_ip: string | null;
  device_links_24h: number | null;
  ip_links_24h: number | null;
  device_accounts_30d: number | null;
  not_me_reported: boolean;
  case_resolution: 'fraud' | 'legitimate' | null;
}

/**
 * The posted ledger lines of a chunk's accounts, column by column (millions of lines without an object each), and
 * for each account the positions of its lines in commit order: `order[account_starts[a] .. account_starts[a + 1])`.
 */
export interface LedgerLines {
  count: number;
  /** Index into ChunkData.accounts. */
  account: Int32Array;
  /** 1 for money out of the account, 0 for money in. */
  debit: Uint8Array;
  at_ms: Float64Array;
  amount_yen: Float64Array;
  /** For a charge: index into ChunkData.links; -1 otherwise. */
  link: Int32Array;
  /** For a charge: its id (also its transfer's); undefined otherwise. */
  charge_id: Array<string | undefined>;
  order: Int32Array;
  account_starts: Int32Array;
}

/** What the chunk loader reads for one range of customers. */
export interface ChunkData {
  accounts: ChunkAccount[];
  links: ChunkLink[];
  lines: LedgerLines;
  /** Distinct customers ever linked from each device id the chunk's links came from. */
  device_customers: Map<string, number>;
  /** Distinct customers ever linked through the hardened path from each browser address the chunk's FAPI links came from. */
  source_ip_customers: Map<string, number>;
  /** Successful internet-banking sign-ins in the window, per customer. */
  sign_ins: Map<string, number>;
  /** Failed PIN or password attempts per customer, epoch ms, ascending. */
  failures: Map<string, number[]>;
  /** Locks of a credential or second factor per customer, epoch ms, ascending. */
  locks: Map<string, number[]>;
}

/** One range of customers: ids in [lower, upper), upper null for the last. */
export interface ChunkRange {
  lower: string;
  upper: string | null;
}

/** The scan's scope as the loader needs it. */
export interface ChunkScope {
  from_at: Date;
  to_at: Date;
  operator_id: string | null;
}

const MS = `(extract(epoch FROM t.created_at) * 1000)::int8`;

/**
 * The chunk's accounts as SQL, with the range and operator spliced in (COPY takes no parameters): only canonical
 * UUIDs are ever spliced, checked here.
 */
function chunkAccountsSql(range: ChunkRange, operator_id: string | null): string {
  for (const id of [range.lower, range.upper, operator_id]) assert(id === null || isUuid(id), `chunk bound ${id} is a canonical uuid`);
  return `SELECT a.id FROM bank_accounts a WHERE a.customer_id >= '${range.lower}'${range.upper ? ` AND a.customer_id < '${range.upper}'` : ''}${operator_id
    ? ` AND EXISTS (SELECT 1 FROM bank_accounts x JOIN links l ON l.account_id = x.id WHERE x.customer_id = a.customer_id AND l.operator_id = '${operator_id}')` : ''}`;
}

/**
 * The posted ledger lines of the chunk's accounts up to the end of the window plus the look-ahead, as COPY text:
 * read from the ledger's own history indexes, which the scan's migration widened so that this is an index-only scan.
 * A post of a waiting charge takes the code and link of the pending transfer it settles.
 */
function ledgerLinesSql(range: ChunkRange, scope: ChunkScope): string {
  const accounts = chunkAccountsSql(range, scope.operator_id);
  const until = new Date(scope.to_at.getTime() + SCAN_LOOKAHEAD_MS).toISOString();
  const pending = (column: string) => `(SELECT p.${column} FROM ledger_transfers p WHERE p.id = t.pending_id)`;
  const code = `CASE WHEN t.pending_id IS NULL THEN t.code ELSE ${pending('code')} END`;
  // LATERAL with OFFSET 0 (which keeps it from being flattened into a join): one index range per account, whatever
  // the planner believes of `flags & 5 = 0` (it guesses 0.5 % of rows, and would hash-join the whole index to each chunk).
  return `SELECT a.id, 1, ${MS}, t.amount_yen, t.seq,
                 CASE WHEN ${code} = ${TransferCode.charge} THEN CASE WHEN t.pending_id IS NULL THEN t.user_data ELSE ${pending('user_data')} END END,
                 CASE WHEN ${code} = ${TransferCode.charge} THEN coalesce(t.pending_id, t.id) END
            FROM (${accounts}) a CROSS JOIN LATERAL (
              SELECT * FROM ledger_transfers t WHERE t.debit_account_id = a.id AND t.flags & 5 = 0 AND t.created_at < '${until}' OFFSET 0) t
          UNION ALL
          SELECT a.id, 0, ${MS}, t.amount_yen, t.seq, NULL, NULL
            FROM (${accounts}) a CROSS JOIN LATERAL (
              SELECT * FROM ledger_transfers t WHERE t.credit_account_id = a.id AND t.flags & 5 = 0 AND t.created_at < '${until}' OFFSET 0) t`;
}

/** Growable columns while COPY text streams in. */
class LineColumns {
  count = 0;
  account = new Int32Array(1024);
  debit = new Uint8Array(1024);
  at_ms = new Float64Array(1024);
  amount_yen = new Float64Array(1024);
  seq = new Float64Array(1024);
  link = new Int32Array(1024);
  charge_id: Array<string | undefined> = [];

  push(account: number, debit: number, at_ms: number, amount_yen: number, seq: number, link: number, charge_id: string | undefined): void {
    if (this.count === this.account.length) {
      const grow = <T extends Int32Array | Uint8Array | Float64Array>(old: T): T => {
        const bigger = new (old.constructor as new (length: number) => T)(old.length * 2);
        bigger.set(old);
        return bigger;
      };
      this.account = grow(this.account);
      this.debit = grow(this.debit);
      this.at_ms = grow(this.at_ms);
      this.amount_yen = grow(this.amount_yen);
      this.seq = grow(this.seq);
      this.link = grow(this.link);
    }
    const i = this.count++;
    this.account[i] = account;
    this.debit[i] = debit;
    this.at_ms[i] = at_ms;
    this.amount_yen[i] = amount_yen;
    this.seq[i] = seq;
    this.link[i] = link;
    this.charge_id[i] = charge_id;
  }
}

/**
 * Parses COPY text (tab-separated, `\N` for null; the pieces need not end on a line) into columns, then orders each
 * account's lines by the ledger's commit order with a counting sort over accounts and an insertion sort within one
 * (the two sides arrive each in order, so an account's lines are nearly sorted already).
 */
async function readLedgerLines(pieces: AsyncIterable<string> | Iterable<string>, accountIndex: Map<string, number>, linkIndex: Map<string, number>, accounts_count: number): Promise<LedgerLines> {
  const columns = new LineColumns();
  let rest = '';
  const take = (row: string) => {
    const tab1 = row.indexOf('\t');
    const tab2 = row.indexOf('\t', tab1 + 1);
    const tab3 = row.indexOf('\t', tab2 + 1);
    const tab4 = row.indexOf('\t', tab3 + 1);
    const tab5 = row.indexOf('\t', tab4 + 1);
    const tab6 = row.indexOf('\t', tab5 + 1);
    assert(tab6 > 0, `a ledger line has 7 fields: ${row}`);
    const account = accountIndex.get(row.slice(0, tab1));
    assert(account !== undefined, 'a ledger line belongs to a chunk account');
    const linkId = row.slice(tab5 + 1, tab6);
    const link = linkId === '\\N' ? -1 : linkIndex.get(linkId) ?? -1;
    const chargeId = row.slice(tab6 + 1);
    columns.push(account, row.charCodeAt(tab1 + 1) === 49 ? 1 : 0, Number(row.slice(tab2 + 1, tab3)), Number(row.slice(tab3 + 1, tab4)),
      Number(row.slice(tab4 + 1, tab5)), link, link === -1 || chargeId === '\\N' ? undefined : chargeId);
  };
  for await (const piece of pieces) {
    const text = rest + piece;
    let start = 0;
    for (let end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
      take(text.slice(start, end));
      start = end + 1;
    }
    rest = text.slice(start);
  }
  if (rest.length > 0) take(rest);

  const account_starts = new Int32Array(accounts_count + 1);
  for (let i = 0; i < columns.count; i += 1) account_starts[columns.account[i]! + 1]! += 1;
  for (let a = 0; a < accounts_count; a += 1) account_starts[a + 1]! += account_starts[a]!;
  const fill = account_starts.slice(0, accounts_count);
  const order = new Int32Array(columns.count);
  for (let i = 0; i < columns.count; i += 1) order[fill[columns.account[i]!]!++] = i;
  const seq = columns.seq;
  for (let a = 0; a < accounts_count; a += 1) {
    for (let i = account_starts[a]! + 1; i < account_starts[a + 1]!; i += 1) {
      const line = order[i]!;
      let j = i - 1;
      while (j >= account_starts[a]! && seq[order[j]!]! > seq[line]!) {
        order[j + 1] = order[j]!;
        j -= 1;
      }
      order[j + 1] = line;
    }
  }
  return {
    count: columns.count, account: columns.account, debit: columns.debit, at_ms: columns.at_ms, amount_yen: columns.amount_yen,
    link: columns.link, charge_id: columns.charge_id, order, account_starts,
  };
}

/** Groups rows of (customer, value) into ascending arrays per customer. */
function timesByCustomer(rows: Array<{ customer_id: string; at: Date }>): Map<string, number[]> {
  const byCustomer = new Map<string, number[]>();
  for (const row of rows) {
    const list = byCustomer.get(row.customer_id) ?? [];
    list.push(row.at.getTime());
    byCustomer.set(row.customer_id, list);
  }
  for (const list of byCustomer.values()) list.sort((a, b) => a - b);
  return byCustomer;
}

/**
 * Reads everything the scan needs about one range of customers, set-based: their accounts, every link on them,
 * the posted ledger lines (COPY), device and address spread, sign-ins in the window, and failed or locked
 * credentials. Nothing here depends on the rules, so a chunk can be read while the one before is evaluated.
 */
export async function loadChunkData(db: Database, range: ChunkRange, scope: ChunkScope): Promise<ChunkData> {
  assert(db.copyTo, 'the database can COPY out (both shipped backends can)');
  const accountsSql = chunkAccountsSql(range, scope.operator_id);
  const accounts = (await db.query<{ id: string; customer_id: string; opened_at: Date; birth_date: string }>(
    `SELECT a.id, a.customer_id, a.created_at AS opened_at, c.birth_date::text AS birth_date
       FROM bank_accounts a JOIN customers c ON c.id = a.customer_id WHERE a.id IN (${accountsSql}) ORDER BY a.customer_id, a.id`,
  )).map((row) => ({ id: row.id, customer_id: row.customer_id, opened_ms: row.opened_at.getTime(), birth_date: row.birth_date }));
  if (accounts.length === 0) {
    return { accounts, links: [], lines: await readLedgerLines([], new Map(), new Map(), 0), device_customers: new Map(), source_ip_customers: new Map(), sign_ins: new Map(), failures: new Map(), locks: new Map() };
  }
  const customerOf = new Map(accounts.map((account) => [account.id, account.customer_id]));
  const linkRows = await db.query<Omit<ChunkLink, 'customer_id' | 'created_ms' | 'revoked_ms'> & { created_at: Date; revoked_at: Date | null }>(
    `SELECT l.id, l.account_id, l.operator_id, l.method, l.created_at, l.revoked_at,
            least(l.charge_yen_max, o.charge_yen_max)::int8 AS charge_yen_max,
            l.kyc_attestation #>> '{kyc,level}' AS kyc_level, l.identity_match_score, l.identity_match_reasons,
            lo.device_id, lo.source_ip, lo.device_links_24h, lo.ip_links_24h, lo.device_accounts_30d,
            EXISTS (SELECT 1 FROM not_me_reports n WHERE n.link_id = l.id) AS not_me_reported,
            (SELECT cs.resolution FROM cases cs WHERE cs.link_id = l.id AND cs.status = 'resolved' ORDER BY cs.resolved_at DESC LIMIT 1) AS case_resolution
       FROM links l JOIN operators o ON o.id = l.operator_id LEFT JOIN link_origins lo ON lo.link_id = l.id
      WHERE l.account_id IN (${accountsSql}) AND l.created_at < $1
      ORDER BY l.account_id, l.created_at, l.id`,
    [new Date(scope.to_at.getTime() + SCAN_LOOKAHEAD_MS)],
  );
  const links: ChunkLink[] = linkRows.map(({ created_at, revoked_at, ...row }) => ({
    ...row, customer_id: customerOf.get(row.account_id)!, created_ms: created_at.getTime(), revoked_ms: revoked_at?.getTime() ?? null,
  }));
  const accountIndex = new Map(accounts.map((account, index) => [account.id, index]));
  const linkIndex = new Map(links.map((link, index) => [link.id, index]));
  const linesPromise = readLedgerLines(db.copyTo(ledgerLinesSql(range, scope)), accountIndex, linkIndex, accounts.length);
  const devices = [...new Set(links.map((link) => link.device_id).filter((id): id is string => id !== null))];
  const addresses = [...new Set(links.filter((link) => link.method === 'fapi2' && link.source_ip !== null).map((link) => link.source_ip!))];
  const customerIds = [...new Set(accounts.map((account) => account.customer_id))];
  const [deviceRows, addressRows, signInRows, failureRows, lockRows] = await Promise.all([
    devices.length === 0 ? [] : db.query<{ key: string; customers: number }>(
      `SELECT device_id AS key, count(DISTINCT customer_id)::int AS customers FROM link_origins WHERE device_id = ANY($1::text[]) GROUP BY device_id`, [devices]),
    addresses.length === 0 ? [] : db.query<{ key: string; customers: number }>(
      `SELECT o.source_ip AS key, count(DISTINCT o.customer_id)::int AS customers
         FROM link_origins o JOIN links l ON l.id = o.link_id WHERE o.source_ip = ANY($1::text[]) AND l.method = 'fapi2' GROUP BY o.source_ip`, [addresses]),
    db.query<{ customer_id: string; sign_ins: number }>(
      `SELECT c.id AS customer_id, count(*)::int AS sign_ins
         FROM customers c JOIN credential_attempts ca ON ca.account_key = 'login:' || c.login_id
        WHERE c.id = ANY($1::uuid[]) AND ca.credential = 'password' AND ca.outcome = 'success' AND ca.at >= $2 AND ca.at < $3
        GROUP BY c.id`, [customerIds, scope.from_at, scope.to_at]),
    db.query<{ customer_id: string; at: Date }>(
      `SELECT a.customer_id, ca.at FROM bank_accounts a JOIN credential_attempts ca
           ON ca.credential = 'legacy_pin' AND ca.account_key = a.branch_code || '-' || a.account_number AND ca.outcome = 'failure'
        WHERE a.customer_id = ANY($1::uuid[])
       UNION ALL
       SELECT c.id, ca.at FROM customers c JOIN credential_attempts ca
           ON ca.credential = 'password' AND ca.account_key = 'login:' || c.login_id AND ca.outcome = 'failure'
        WHERE c.id = ANY($1::uuid[])`, [customerIds]),
    db.query<{ customer_id: string; at: Date }>(
      `SELECT s.customer_id, e.at FROM credential_account_states s JOIN credential_lock_events e ON e.state_id = s.id AND e.event = 'locked'
        WHERE s.customer_id = ANY($1::uuid[])
       UNION ALL
       SELECT se.customer_id, se.at FROM second_factor_events se WHERE se.customer_id = ANY($1::uuid[]) AND se.event = 'locked'`, [customerIds]),
  ]);
  return {
    accounts, links, lines: await linesPromise,
    device_customers: new Map(deviceRows.map((row) => [row.key, row.customers])),
    source_ip_customers: new Map(addressRows.map((row) => [row.key, row.customers])),
    sign_ins: new Map(signInRows.map((row) => [row.customer_id, row.sign_ins])),
    failures: timesByCustomer(failureRows),
    locks: timesByCustomer(lockRows),
  };
}

/** How far back from a moment credential failures and locks count, as the real-time features read them. */
export const CREDENTIAL_LOOKBACK = { failures_ms: CREDENTIAL_FAILURE_LOOKBACK_MS, locks_ms: CREDENTIAL_LOCK_LOOKBACK_MS, attacks_ms: CREDENTIAL_ATTACK_LOOKBACK_MS } as const;
