import type { Database } from './storage/database.ts';
import type { Ledger } from './ledger/ledger-types.ts';
import type { Clock } from './shared/clock.ts';
import type { Ids } from './shared/ids.ts';
import type { Logger } from './shared/logger.ts';
import { createLedger } from './ledger/create-ledger.ts';
import { createBankCore, type BankCore } from './bank/bank-core.ts';
import { createOperatorRegistry, type OperatorRegistry } from './operators/operator-registry.ts';
import { createLinkStore, type LinkStore } from './linking/link-store.ts';
import { createChargePipeline, type ChargePipeline } from './charges/charge-pipeline.ts';

/** Everything the bank's routes and pages use, wired once. */
export interface BankServices {
  db: Database;
  ledger: Ledger;
  clock: Clock;
  ids: Ids;
  log: Logger;
  core: BankCore;
  operators: OperatorRegistry;
  links: LinkStore;
  charges: ChargePipeline;
  close(): Promise<void>;
}

/** Wires the bank's services over a migrated database. */
export async function createBankServices({ db, clock, ids, log }: { db: Database; clock: Clock; ids: Ids; log: Logger }): Promise<BankServices> {
  const ledger = createLedger({ db, clock, log });
  const core = createBankCore({ db, ledger, clock, ids });
  await core.ensureCashAccount();
  const charges = createChargePipeline({ db, ledger, clock, ids, log });
  return {
    db, ledger, clock, ids, log, core, charges,
    operators: createOperatorRegistry({ db, ledger, clock, ids }),
    links: createLinkStore({ db, clock }),
    async close() {
      await charges.close();
      await ledger.close();
    },
  };
}
