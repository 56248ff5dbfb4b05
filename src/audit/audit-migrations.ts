import type { MigrationSet } from '../storage/migrate.ts';

/** The append-only, hash-chained audit log of staff actions; runs after the bank's set (staff_users). */
export const auditMigrations: MigrationSet = { name: 'audit', folder: new URL('./migrations/', import.meta.url) };
