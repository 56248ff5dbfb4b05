import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { Database } from '../storage/database.ts';
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
export async function openStores(config: Config, which: { wallet: boolean }): Promise<{ bankDb: Database; walletDb?: Database }> {
  const pgliteDir = (name: string) => {
    const dir = join(config.data_dir, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const bankDb = await openDatabase({ database_url: config.database_url, pglite_dir: config.database_url ? undefined : pgliteDir('bank') });
  await migrate(bankDb, bankMigrationSets);
  if (!which.wallet) return { bankDb };
  const walletDb = await openDatabase({
    database_url: config.database_url,
    pglite_dir: config.database_url ? undefined : pgliteDir('wallet'),
    schema: config.database_url ? 'wallet' : undefined,
  });
  await migrate(walletDb, [ledgerMigrations, walletMigrations]);
  return { bankDb, walletDb };
}
