/**
 * The set-based core of the ledger: applies a batch of transfers inside one transaction with a fixed,
 * small number of statements however large the batch is:
 *   1. lock the state rows of pending transfers that posts and voids settle (only if there are any);
 *   2. lock every touched account, ordered by id so concurrent writers never deadlock;
 *   3. read the transfers whose ids already exist (idempotency), after the locks, so a concurrent duplicate
 *      that committed meanwhile is seen; or, optimistically, skip that read and let the primary key say so
 *      (see ApplyTransfersOptions);
 *   4. evaluate every transfer in input order in memory, each seeing the balances left by the ones before;
 *   5. write the accepted transfers, the new balances and the pending states in one statement.
 * Lock order everywhere in the ledger: pending state rows by id, then accounts by id.
 */
import { assert } from '../shared/assert.ts';
import type { Queryable } from '../storage/database.ts';
import type { CreateTransferResult, NewTransfer } from './ledger-types.ts';
import {
  ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS,
  ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS,
  TRANSFER_COLUMNS,
  TRANSFER_PENDING,
  TRANSFER_POST_PENDING,
  TRANSFER_VOID_PENDING,
  transferFlagBits,
  type TransferRow,
} from './ledger-rows.ts';
import { integerArrayLiteral, timestampArrayLiteral, uuidArrayLiteral, wordArrayLiteral } from './array-literal.ts';
import { transferExists } from './transfer-exists.ts';
import { assertTransferShape, validateTransfer } from './validate-transfer.ts';

/**
 * Most transfers one applyTransfers call takes. It bounds the memory of one call and how long it holds
 * its account locks; the batcher's default (BATCH_TRANSFERS_MAX) sits well below it.
 */
export const APPLY_TRANSFERS_MAX = 65_536;

/** A balance may not pass this, so every balance and every sum of two stays exact in a JS number. */
export const BALANCE_YEN_MAX = Number.MAX_SAFE_INTEGER;

type PendingState = 'pending' | 'posted' | 'voided' | 'expired';

interface AccountBalances {
  id: string;
  flags: number;
  debits_pending: number;
  debits_posted: number;
  credits_pending: number;
  credits_posted: number;
}

interface PendingStateRow {
  id: string;
  state: PendingState;
  expires_at: Date | null;
  settled_by: string | null;
  /** Created in this batch: inserted with its final state rather than updated. */
  created: boolean;
  changed: boolean;
}

function overdrawn(account: AccountBalances): boolean {
  if ((account.flags & ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS) !== 0) {
    if (account.debits_pending + account.debits_posted > account.credits_posted) return true;
  }
  if ((account.flags & ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS) !== 0) {
    if (account.credits_pending + account.credits_posted > account.debits_posted) return true;
  }
  return false;
}

/** How applyTransfers learns which of the batch's ids are already stored. */
export interface ApplyTransfersOptions {
  /**
   * true: read the stored transfers with the batch's ids before evaluating (one index probe per id).
   * false: assume the ids are new, write inside a savepoint, and only if an id turns out to exist roll back
   * to the savepoint, read, evaluate again and write. New ids are the normal case, so this saves the reads;
   * the caller switches back to true for a while after a conflict (see createLedger) so retry storms pay once.
   */
  lookup_ids_first: boolean;
  /** Called when an optimistic batch turned out to hold a stored id and was evaluated again. */
  on_id_conflict?: () => void;
}

/** What evaluating a batch decided, before anything is written. */
interface Evaluation {
  results: CreateTransferResult[];
  accepted: TransferRow[];
  changed_accounts: AccountBalances[];
  created_states: PendingStateRow[];
  settled_states: PendingStateRow[];
}

/** What the reads found: locked accounts, pending transfers with their locked states, stored transfers. */
interface Snapshot {
  accounts: Map<string, AccountBalances>;
  states: Map<string, PendingStateRow>;
  known: Map<string, TransferRow>;
}

const settles = (transfer: NewTransfer) => !!transfer.flags?.post_pending_transfer || !!transfer.flags?.void_pending_transfer;

/** The savepoint an optimistic write runs under. */
const OPTIMISTIC_WRITE = 'ledger_optimistic_write';

/** A primary-key violation on a transfer or pending-state id: an id in the batch is already stored. */
function isIdConflict(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: string; constraint?: string };
  return code === '23505' && (constraint === 'ledger_transfers_pkey' || constraint === 'ledger_pending_transfers_pkey');
}

async function lookupTransfers(tx: Queryable, ids: Set<string>, known: Map<string, TransferRow>): Promise<void> {
  if (ids.size === 0) return;
  const rows = await tx.query<TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id = ANY($1::text::uuid[])`, [
    uuidArrayLiteral([...ids]),
  ]);
  for (const row of rows) known.set(row.id, row);
}

/** Applies `transfers` in order inside `tx`, set-based, and returns one result per transfer. */
export async function applyTransfers(
  tx: Queryable,
  transfers: readonly NewTransfer[],
  now: Date,
  options: ApplyTransfersOptions = { lookup_ids_first: true },
): Promise<CreateTransferResult[]> {
  assert(transfers.length <= APPLY_TRANSFERS_MAX, `at most ${APPLY_TRANSFERS_MAX} transfers per call`);
  assert(!Number.isNaN(now.getTime()), 'the clock must give a valid time');
  for (const transfer of transfers) assertTransferShape(transfer);
  const validated: (CreateTransferResult | undefined)[] = transfers.map(validateTransfer);
  if (validated.every((result) => result !== undefined)) return validated as CreateTransferResult[];

  // 1. Pending transfers named by posts and voids, their state rows locked.
  const known = new Map<string, TransferRow>();
  const states = new Map<string, PendingStateRow>();
  const pending_ids = new Set<string>();
  transfers.forEach((transfer, index) => {
    if (validated[index] === undefined && settles(transfer)) pending_ids.add(transfer.pending_id as string);
  });
  if (pending_ids.size > 0) {
    const rows = await tx.query<TransferRow & { state: PendingState; expires_at: Date | null; settled_by: string | null }>(
      `SELECT ${TRANSFER_COLUMNS.split(', ').map((column) => `t.${column}`).join(', ')}, p.state, p.expires_at, p.settled_by
         FROM ledger_pending_transfers p JOIN ledger_transfers t ON t.id = p.id
        WHERE p.id = ANY($1::text::uuid[]) ORDER BY p.id FOR UPDATE OF p`,
      [uuidArrayLiteral([...pending_ids])],
    );
    for (const { state, expires_at, settled_by, ...transfer } of rows) {
      known.set(transfer.id, transfer);
      states.set(transfer.id, { id: transfer.id, state, expires_at, settled_by, created: false, changed: false });
    }
  }

  // 2. Every account any transfer touches, locked in id order.
  const account_ids = new Set<string>();
  transfers.forEach((transfer, index) => {
    if (validated[index] !== undefined) return;
    if (transfer.debit_account_id !== undefined) account_ids.add(transfer.debit_account_id);
    if (transfer.credit_account_id !== undefined) account_ids.add(transfer.credit_account_id);
    const pending = settles(transfer) ? known.get(transfer.pending_id as string) : undefined;
    if (pending) {
      account_ids.add(pending.debit_account_id);
      account_ids.add(pending.credit_account_id);
    }
  });
  const account_rows = await tx.query<AccountBalances>(
    `SELECT id, flags, debits_pending, debits_posted, credits_pending, credits_posted
       FROM ledger_accounts WHERE id = ANY($1::text::uuid[]) ORDER BY id FOR UPDATE`,
    [uuidArrayLiteral([...account_ids])],
  );
  const accounts = new Map(account_rows.map((row) => [row.id, row]));

  // 3. Pending ids that are not pending transfers: read always, they are few and decide not_found vs not_pending.
  const unresolved = new Set([...pending_ids].filter((id) => !known.has(id)));
  // The batch's own ids: read now, after the locks so a concurrent duplicate that committed meanwhile is
  // seen, or (optimistically) only if the write says one exists.
  const own_ids = new Set<string>();
  transfers.forEach((transfer, index) => {
    if (validated[index] === undefined) own_ids.add(transfer.id);
  });
  if (options.lookup_ids_first) for (const id of own_ids) unresolved.add(id);
  await lookupTransfers(tx, unresolved, known);

  // 4 and 5. Evaluate in input order, then write.
  if (options.lookup_ids_first) {
    const evaluation = evaluate(transfers, validated, now, { accounts, states, known });
    await write(tx, evaluation, now);
    return evaluation.results;
  }
  const optimistic = evaluate(transfers, validated, now, { accounts, states, known });
  // A transfer refused on its merits writes nothing, so the primary key cannot say it was a retry of a stored
  // one that must answer `exists`: read those few ids now.
  const refused = new Set<string>();
  optimistic.results.forEach((result, index) => {
    if (validated[index] === undefined && result !== 'ok') refused.add((transfers[index] as NewTransfer).id);
  });
  await lookupTransfers(tx, refused, known);
  if (![...refused].some((id) => known.has(id))) {
    if (optimistic.accepted.length === 0) return optimistic.results;
    await tx.query(`SAVEPOINT ${OPTIMISTIC_WRITE}`);
    try {
      await write(tx, optimistic, now);
      return optimistic.results;
    } catch (error) {
      if (!isIdConflict(error)) throw error;
      // The locks taken before the savepoint stay held, so the snapshot read under them is still true.
      await tx.query(`ROLLBACK TO SAVEPOINT ${OPTIMISTIC_WRITE}`);
    }
  }
  options.on_id_conflict?.();
  await lookupTransfers(tx, own_ids, known);
  const evaluation = evaluate(transfers, validated, now, { accounts, states, known });
  await write(tx, evaluation, now);
  return evaluation.results;
}

/**
 * Decides every transfer in input order against copies of the snapshot, so the same snapshot can be
 * evaluated again; asserts the batch's invariants before anything is written.
 */
function evaluate(
  transfers: readonly NewTransfer[],
  validated: readonly (CreateTransferResult | undefined)[],
  now: Date,
  snapshot: Snapshot,
): Evaluation {
  const accounts = new Map([...snapshot.accounts].map(([id, row]) => [id, { ...row }]));
  const states = new Map([...snapshot.states].map(([id, row]) => [id, { ...row }]));
  const known = new Map(snapshot.known);
  const accepted: TransferRow[] = [];
  const results = transfers.map((transfer, index): CreateTransferResult => {
    const invalid = validated[index];
    if (invalid !== undefined) return invalid;
    return settles(transfer)
      ? settlePending(transfer, now, known, states, accounts, accepted)
      : createTransfer(transfer, now, known, states, accounts, accepted);
  });

  let debits_posted_yen = 0;
  let credits_posted_yen = 0;
  let debits_pending_yen = 0;
  let credits_pending_yen = 0;
  const changed_accounts: AccountBalances[] = [];
  for (const account of accounts.values()) {
    const old = snapshot.accounts.get(account.id) as AccountBalances;
    debits_posted_yen += account.debits_posted - old.debits_posted;
    credits_posted_yen += account.credits_posted - old.credits_posted;
    debits_pending_yen += account.debits_pending - old.debits_pending;
    credits_pending_yen += account.credits_pending - old.credits_pending;
    assert(!overdrawn(account), `account ${account.id} would be overdrawn by this batch`);
    assert(account.debits_pending >= 0 && account.credits_pending >= 0, `account ${account.id} pending balance below zero`);
    if (
      account.debits_pending !== old.debits_pending ||
      account.debits_posted !== old.debits_posted ||
      account.credits_pending !== old.credits_pending ||
      account.credits_posted !== old.credits_posted
    ) {
      changed_accounts.push(account);
    }
  }
  assert(debits_posted_yen === credits_posted_yen, `batch posts ${debits_posted_yen} debits but ${credits_posted_yen} credits`);
  assert(debits_pending_yen === credits_pending_yen, `batch reserves ${debits_pending_yen} debits but ${credits_pending_yen} credits`);
  assert(accepted.length === results.filter((result) => result === 'ok').length, 'every ok transfer is written once');
  const all_states = [...states.values()];
  return {
    results,
    accepted,
    changed_accounts,
    created_states: all_states.filter((state) => state.created),
    settled_states: all_states.filter((state) => !state.created && state.changed),
  };
}

/** Writes an evaluation with one statement: transfers, balances and pending states. */
async function write(tx: Queryable, evaluation: Evaluation, now: Date): Promise<void> {
  const { accepted, changed_accounts: changed, created_states, settled_states } = evaluation;
  if (accepted.length === 0) return;
  const [written] = await tx.query<{ accounts_updated: number; states_updated: number }>(
    `WITH transfers AS (
       INSERT INTO ledger_transfers
         (id, debit_account_id, credit_account_id, amount_yen, pending_id, code, user_data, flags, timeout_seconds, created_at)
       SELECT id, debit_account_id, credit_account_id, amount_yen, pending_id, code, user_data, flags, timeout_seconds, $10
         FROM unnest($1::text::uuid[], $2::text::uuid[], $3::text::uuid[], $4::text::int8[], $5::text::uuid[],
                     $6::text::int4[], $7::text::uuid[], $8::text::int4[], $9::text::int4[])
           AS u (id, debit_account_id, credit_account_id, amount_yen, pending_id, code, user_data, flags, timeout_seconds)
     ), accounts AS (
       UPDATE ledger_accounts a
          SET debits_pending = u.debits_pending, debits_posted = u.debits_posted,
              credits_pending = u.credits_pending, credits_posted = u.credits_posted
         FROM unnest($11::text::uuid[], $12::text::int8[], $13::text::int8[], $14::text::int8[], $15::text::int8[])
           AS u (id, debits_pending, debits_posted, credits_pending, credits_posted)
        WHERE a.id = u.id
       RETURNING 1
     ), created_states AS (
       INSERT INTO ledger_pending_transfers (id, state, expires_at, settled_by)
       SELECT * FROM unnest($16::text::uuid[], $17::text::text[], $18::text::timestamptz[], $19::text::uuid[])
     ), settled_states AS (
       UPDATE ledger_pending_transfers p SET state = u.state, settled_by = u.settled_by
         FROM unnest($20::text::uuid[], $21::text::text[], $22::text::uuid[]) AS u (id, state, settled_by)
        WHERE p.id = u.id
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM accounts)::int AS accounts_updated,
            (SELECT count(*) FROM settled_states)::int AS states_updated`,
    [
      uuidArrayLiteral(accepted.map((t) => t.id)),
      uuidArrayLiteral(accepted.map((t) => t.debit_account_id)),
      uuidArrayLiteral(accepted.map((t) => t.credit_account_id)),
      integerArrayLiteral(accepted.map((t) => t.amount_yen)),
      uuidArrayLiteral(accepted.map((t) => t.pending_id)),
      integerArrayLiteral(accepted.map((t) => t.code)),
      uuidArrayLiteral(accepted.map((t) => t.user_data)),
      integerArrayLiteral(accepted.map((t) => t.flags)),
      integerArrayLiteral(accepted.map((t) => t.timeout_seconds)),
      now,
      uuidArrayLiteral(changed.map((a) => a.id)),
      integerArrayLiteral(changed.map((a) => a.debits_pending)),
      integerArrayLiteral(changed.map((a) => a.debits_posted)),
      integerArrayLiteral(changed.map((a) => a.credits_pending)),
      integerArrayLiteral(changed.map((a) => a.credits_posted)),
      uuidArrayLiteral(created_states.map((s) => s.id)),
      wordArrayLiteral(created_states.map((s) => s.state)),
      timestampArrayLiteral(created_states.map((s) => s.expires_at)),
      uuidArrayLiteral(created_states.map((s) => s.settled_by)),
      uuidArrayLiteral(settled_states.map((s) => s.id)),
      wordArrayLiteral(settled_states.map((s) => s.state)),
      uuidArrayLiteral(settled_states.map((s) => s.settled_by)),
    ],
  );
  assert(written?.accounts_updated === changed.length, 'every changed account is updated');
  assert(written?.states_updated === settled_states.length, 'every settled pending transfer is updated');
}

/** A single-phase or pending transfer: checks the accounts and their limits, then moves or reserves the amount. */
function createTransfer(
  transfer: NewTransfer,
  now: Date,
  known: Map<string, TransferRow>,
  states: Map<string, PendingStateRow>,
  accounts: Map<string, AccountBalances>,
  accepted: TransferRow[],
): CreateTransferResult {
  const existing = known.get(transfer.id);
  if (existing) return transferExists(transfer, existing, undefined);
  const debit = accounts.get(transfer.debit_account_id as string);
  if (!debit) return 'debit_account_not_found';
  const credit = accounts.get(transfer.credit_account_id as string);
  if (!credit) return 'credit_account_not_found';
  const amount_yen = transfer.amount_yen as number;
  assert(Number.isSafeInteger(amount_yen) && amount_yen > 0, 'a validated amount is positive');
  if (debit.debits_pending + debit.debits_posted + amount_yen > BALANCE_YEN_MAX) return 'overflows_debits';
  if (credit.credits_pending + credit.credits_posted + amount_yen > BALANCE_YEN_MAX) return 'overflows_credits';
  if (
    (debit.flags & ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS) !== 0 &&
    debit.debits_pending + debit.debits_posted + amount_yen > debit.credits_posted
  ) {
    return 'exceeds_credits';
  }
  if (
    (credit.flags & ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS) !== 0 &&
    credit.credits_pending + credit.credits_posted + amount_yen > credit.debits_posted
  ) {
    return 'exceeds_debits';
  }
  const flags = transferFlagBits(transfer.flags);
  const timeout_seconds = transfer.timeout_seconds ?? 0;
  if ((flags & TRANSFER_PENDING) !== 0) {
    debit.debits_pending += amount_yen;
    credit.credits_pending += amount_yen;
    states.set(transfer.id, {
      id: transfer.id,
      state: 'pending',
      expires_at: timeout_seconds > 0 ? new Date(now.getTime() + timeout_seconds * 1000) : null,
      settled_by: null,
      created: true,
      changed: true,
    });
  } else {
    debit.debits_posted += amount_yen;
    credit.credits_posted += amount_yen;
  }
  const row: TransferRow = {
    id: transfer.id,
    debit_account_id: debit.id,
    credit_account_id: credit.id,
    amount_yen,
    pending_id: null,
    code: transfer.code,
    user_data: transfer.user_data ?? null,
    flags,
    timeout_seconds,
    created_at: now,
  };
  known.set(row.id, row);
  accepted.push(row);
  return 'ok';
}

/** A post or void: checks the pending transfer it names, then releases the reservation and posts all, part or none of it. */
function settlePending(
  transfer: NewTransfer,
  now: Date,
  known: Map<string, TransferRow>,
  states: Map<string, PendingStateRow>,
  accounts: Map<string, AccountBalances>,
  accepted: TransferRow[],
): CreateTransferResult {
  const pending_id = transfer.pending_id as string;
  const pending = known.get(pending_id);
  const existing = known.get(transfer.id);
  if (existing) return transferExists(transfer, existing, pending);
  if (!pending) return 'pending_transfer_not_found';
  if ((pending.flags & TRANSFER_PENDING) === 0) return 'pending_transfer_not_pending';
  if (transfer.debit_account_id !== undefined && transfer.debit_account_id !== pending.debit_account_id) {
    return 'pending_transfer_has_different_accounts';
  }
  if (transfer.credit_account_id !== undefined && transfer.credit_account_id !== pending.credit_account_id) {
    return 'pending_transfer_has_different_accounts';
  }
  const posting = !!transfer.flags?.post_pending_transfer;
  // Absent or 0 means the whole pending amount.
  const amount_yen = transfer.amount_yen || pending.amount_yen;
  if (posting && amount_yen > pending.amount_yen) return 'exceeds_pending_transfer_amount';
  if (!posting && amount_yen !== pending.amount_yen) return 'pending_transfer_has_different_amount';
  const state = states.get(pending_id);
  assert(state !== undefined, `pending transfer ${pending_id} has a state row`);
  if (state.state === 'posted') return 'pending_transfer_already_posted';
  if (state.state === 'voided') return 'pending_transfer_already_voided';
  if (state.state === 'expired') return 'pending_transfer_expired';
  if (state.expires_at !== null && state.expires_at.getTime() <= now.getTime()) return 'pending_transfer_expired';

  const debit = accounts.get(pending.debit_account_id);
  const credit = accounts.get(pending.credit_account_id);
  assert(debit && credit, `the accounts of pending transfer ${pending_id} are locked`);
  assert(debit.debits_pending >= pending.amount_yen, `account ${debit.id} holds the reservation it releases`);
  assert(credit.credits_pending >= pending.amount_yen, `account ${credit.id} holds the reservation it releases`);
  debit.debits_pending -= pending.amount_yen;
  credit.credits_pending -= pending.amount_yen;
  if (posting) {
    debit.debits_posted += amount_yen;
    credit.credits_posted += amount_yen;
  }
  state.state = posting ? 'posted' : 'voided';
  state.settled_by = transfer.id;
  state.changed = true;
  const row: TransferRow = {
    id: transfer.id,
    debit_account_id: pending.debit_account_id,
    credit_account_id: pending.credit_account_id,
    amount_yen,
    pending_id,
    code: transfer.code,
    user_data: transfer.user_data ?? pending.user_data,
    flags: posting ? TRANSFER_POST_PENDING : TRANSFER_VOID_PENDING,
    timeout_seconds: 0,
    created_at: now,
  };
  known.set(row.id, row);
  accepted.push(row);
  return 'ok';
}
