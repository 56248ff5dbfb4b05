import type { MigrationSet } from '../storage/migrate.ts';

/** Consent reminders and renewal on links; after the bank's set (it extends `links`). */
export const linkingMigrations: MigrationSet = { name: 'linking', folder: new URL('./migrations/', import.meta.url) };
