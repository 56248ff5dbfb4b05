import type { MigrationSet } from '../storage/migrate.ts';

/** Second-factor tables (factors, SMS codes, events); they run after the bank's set and reference customers. */
export const mfaMigrations: MigrationSet = { name: 'mfa', folder: new URL('./migrations/', import.meta.url) };
