import type { MigrationSet } from '../storage/migrate.ts';

/** Staff roles on the bank's staff_users; runs after the bank's set. */
export const staffMigrations: MigrationSet = { name: 'staff', folder: new URL('./migrations/', import.meta.url) };
