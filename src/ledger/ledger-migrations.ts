import type { MigrationSet } from '../storage/migrate.ts';

/** The ledger's numbered migrations, run at start-up with the other modules' sets. */
export const ledgerMigrations: MigrationSet = { name: 'ledger', folder: new URL('./migrations/', import.meta.url) };
