import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { Database } from '../storage/database.ts';
import type { Logger } from '../shared/logger.ts';
import { openDatabase } from '../storage/open-database.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { migrate } from '../storage/migrate.ts';
import { ledgerMigrations } from '../ledger/ledger-migrations.ts';
import { walletMigrations } from '../wallet/wallet-migrations.ts';

/**
 * Opens and migrates the bank's and the wallet's databases. On PGlite each has its own folder; on
 * PostgreSQL the bank uses the default schema and the wallet its own `wallet` schema, so neither sees
 * the other's tables.
 */
export interface Stores {
  bankDb: Database;
  /** The 2020-policy wallet's database. */
  walletDb?: Database;
  /** The hardened wallet's database: another operator, so another database. */
  walletSecureDb?: Database;
}

/** Opens and (unless told `migrate: false`) migrates the bank's database and, when asked, both wallets' (each its own PGlite folder or schema). */
export async function openStores(config: Config, which: { wallet: boolean; log?: Logger; migrate?: boolean }): Promise<Stores> {
  const pgliteDir = (name: string) => {
    const dir = join(config.data_dir, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const { log } = which;
  const bankDb = await openDatabase({
    database_url: config.database_url, pglite_dir: config.database_url ? undefined : pgliteDir('bank'), application_name: 'furikae-bank',
    log: log?.child({ part: 'database', database: 'bank' }),
  });
  // A serve worker opens a database its primary already migrated (src/cli/serve-workers.ts).
  if (which.migrate !== false) await migrate(bankDb, bankMigrationSets);
  if (!which.wallet) return { bankDb };
  const openWallet = async (folder: string, schema: string) => {
    const db = await openDatabase({
      database_url: config.database_url,
      pglite_dir: config.database_url ? undefined : pgliteDir(folder),
      schema: config.database_url ? schema : undefined,
      application_name: `furikae-${folder}`,
      log: log?.child({ part: 'database', database: folder }),
    });
    await migrate(db, [ledgerMigrations, walletMigrations]);
    return db;
  };
  return { bankDb, walletDb: await openWallet('wallet', 'wallet'), walletSecureDb: await openWallet('wallet-secure', 'wallet_secure') };
}
