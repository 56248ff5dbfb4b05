/** Test setup shared by the ledger's suites: a fresh migrated database, a frozen clock, ids and a ledger. */
import { ManualClock } from '../shared/clock.ts';
import { createIds, type Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { migrate } from '../storage/migrate.ts';
import type { TestBackend } from '../testing/test-databases.ts';
import { createLedger } from './create-ledger.ts';
import { ledgerMigrations } from './ledger-migrations.ts';
import type { Ledger, NewAccount } from './ledger-types.ts';

export interface TestLedger {
  db: Database;
  clock: ManualClock;
  ids: Ids;
  ledger: Ledger;
  /** Creates an account and returns its id. */
  account(flags?: NewAccount['flags'], code?: number): Promise<string>;
  /** Posted balance (credits − debits) of an account. */
  balance(account_id: string): Promise<number>;
  close(): Promise<void>;
}

/** Opens a fresh database on `backend`, migrates it and builds a ledger over it. */
export async function openTestLedger(backend: TestBackend, options: { batch_transfers_max?: number } = {}): Promise<TestLedger> {
  const db = await backend.open();
  await migrate(db, [ledgerMigrations]);
  const clock = new ManualClock();
  const ids = createIds(clock);
  const ledger = createLedger({ db, clock, batch_transfers_max: options.batch_transfers_max });
  return {
    db,
    clock,
    ids,
    ledger,
    async account(flags, code = 1) {
      const id = ids.next();
      const [result] = await ledger.createAccounts([{ id, code, flags }]);
      if (result !== 'ok') throw new Error(`account not created: ${result}`);
      return id;
    },
    async balance(account_id) {
      const [account] = await ledger.lookupAccounts([account_id]);
      if (!account) throw new Error(`no account ${account_id}`);
      return account.credits_posted - account.debits_posted;
    },
    async close() {
      await ledger.close();
      await db.close();
    },
  };
}
