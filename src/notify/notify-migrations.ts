import type { MigrationSet } from '../storage/migrate.ts';

/** The notification outbox and "not me" reports; they run after the bank's set and reference customers and links. */
export const notifyMigrations: MigrationSet = { name: 'notify', folder: new URL('./migrations/', import.meta.url) };
