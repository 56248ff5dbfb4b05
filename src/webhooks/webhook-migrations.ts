import type { MigrationSet } from '../storage/migrate.ts';

/** Operator webhook registrations and the delivery outbox; after the bank's set. */
export const webhookMigrations: MigrationSet = { name: 'webhooks', folder: new URL('./migrations/', import.meta.url) };
