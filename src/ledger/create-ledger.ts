/**
 * The ledger: accounts and transfers after TigerBeetle, over PostgreSQL. Transfers from many callers go
 * through one batching writer, so thousands share each transaction and each fsync.
 */
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { assert } from '../shared/assert.ts';
import type { Database, Queryable } from '../storage/database.ts';
import { accountHistory } from './account-history.ts';
import { applyTransfers } from './apply-transfers.ts';
import { BATCH_TRANSFERS_MAX, createBatcher } from './batcher.ts';
import { checkInvariants } from './check-invariants.ts';
import { createAccounts } from './create-accounts.ts';
import { expirePendingTransfers } from './expire-pending-transfers.ts';
import { isUuid } from './is-uuid.ts';
import {
  ACCOUNT_COLUMNS,
  accountFromRow,
  TRANSFER_COLUMNS,
  transferFromRow,
  type AccountRow,
  type TransferRow,
} from './ledger-rows.ts';
import type { CreateTransferResult, Ledger, NewTransfer } from './ledger-types.ts';
import { assertTransferShape } from './validate-transfer.ts';

/**
 * After an optimistic write finds an id already stored (a client retrying), this many following batches
 * read their ids first: retries come in bursts, and a burst should not make every batch write twice.
 */
export const LOOKUP_FIRST_BATCHES_AFTER_CONFLICT = 16;

/** Most ids one lookup takes, the same as a batch, so a lookup never costs more than a write. */
export const LOOKUP_IDS_MAX = 8190;

export interface LedgerOptions {
  db: Database;
  clock: Clock;
  log?: Logger;
  /** Transfers per transaction of the batching writer; BATCH_TRANSFERS_MAX unless a benchmark says otherwise. */
  batch_transfers_max?: number;
}

function assertIds(ids: readonly string[]): void {
  assert(ids.length <= LOOKUP_IDS_MAX, `at most ${LOOKUP_IDS_MAX} ids per lookup`);
  for (const id of ids) assert(isUuid(id), `id ${String(id)} must be a lower-case UUID`);
}

/** Creates a ledger over `db` (migrated with ledgerMigrations), stamping times from `clock`. */
export function createLedger(options: LedgerOptions): Ledger {
  const { db, clock, log } = options;
  let lookup_first_batches = 0;
  const apply = (tx: Queryable, transfers: readonly NewTransfer[]) => {
    const lookup_ids_first = lookup_first_batches > 0;
    if (lookup_ids_first) lookup_first_batches--;
    return applyTransfers(tx, transfers, clock.now(), {
      lookup_ids_first,
      on_id_conflict: () => {
        lookup_first_batches = LOOKUP_FIRST_BATCHES_AFTER_CONFLICT;
        log?.debug({ transfers: transfers.length }, 'a batch held stored ids; reading ids first for a while');
      },
    });
  };
  const batcher = createBatcher<NewTransfer, CreateTransferResult>({
    db,
    items_max: options.batch_transfers_max ?? BATCH_TRANSFERS_MAX,
    process: apply,
    log,
  });
  return {
    createAccounts: (accounts) => createAccounts(db, accounts, clock.now()),
    async createTransfers(transfers) {
      // Checked before queueing: a malformed transfer rejects only its own caller, not everyone in its batch.
      for (const transfer of transfers) assertTransferShape(transfer);
      return batcher.submitMany(transfers);
    },
    applyTransfers: apply,
    async lookupAccounts(ids) {
      assertIds(ids);
      const rows = await db.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id = ANY($1::uuid[])`, [ids]);
      const by_id = new Map(rows.map((row) => [row.id, accountFromRow(row)]));
      return [...new Set(ids)].flatMap((id) => by_id.get(id) ?? []);
    },
    async lookupTransfers(ids) {
      assertIds(ids);
      const rows = await db.query<TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id = ANY($1::uuid[])`, [ids]);
      const by_id = new Map(rows.map((row) => [row.id, transferFromRow(row)]));
      return [...new Set(ids)].flatMap((id) => by_id.get(id) ?? []);
    },
    accountHistory: (account_id, history_options) => accountHistory(db, account_id, history_options),
    expirePendingTransfers: () => expirePendingTransfers(db, clock.now()),
    checkInvariants: () => checkInvariants(db),
    close: () => batcher.close(),
  };
}
