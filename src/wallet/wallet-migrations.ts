import type { MigrationSet } from '../storage/migrate.ts';

/** The wallet's tables; run after the ledger's: migrate(db, [ledgerMigrations, walletMigrations]). */
export const walletMigrations: MigrationSet = { name: 'wallet', folder: new URL('./migrations/', import.meta.url) };
