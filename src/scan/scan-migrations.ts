import type { MigrationSet } from '../storage/migrate.ts';

/** Retrospective scans and what they found; after the risk and cases sets, whose tables they reference. */
export const scanMigrations: MigrationSet = { name: 'scan', folder: new URL('./migrations/', import.meta.url) };
