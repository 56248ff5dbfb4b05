import type { MigrationSet } from '../storage/migrate.ts';

/** The bank's tables: customers, accounts, operators, links, charges, refunds, staff and sessions. */
export const bankMigrations: MigrationSet = { name: 'bank', folder: new URL('./migrations/', import.meta.url) };
