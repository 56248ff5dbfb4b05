import type { MigrationSet } from '../storage/migrate.ts';

/** Risk tables (decisions, link origins, velocity buckets, history) and the waiting charge statuses; after the bank's set. */
export const riskMigrations: MigrationSet = { name: 'risk', folder: new URL('./migrations/', import.meta.url) };
