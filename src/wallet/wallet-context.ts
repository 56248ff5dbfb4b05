import type { Ledger } from '../ledger/ledger-types.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import type { Database } from '../storage/database.ts';
import type { BankClient } from './bank-client.ts';
import type { BankChargeSender } from './bank-charge-sender.ts';

/** What every wallet action needs: its own database and e-money ledger, time, ids, a log, and the bank over HTTP. */
export interface WalletContext {
  db: Database;
  ledger: Ledger;
  clock: Clock;
  ids: Ids;
  log: Logger;
  bank: BankClient;
  /** How top-ups reach the bank: the link token (2020 mode) or a DPoP-bound access token (hardened mode). */
  chargeSender: BankChargeSender;
}
