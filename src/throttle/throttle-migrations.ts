import type { MigrationSet } from '../storage/migrate.ts';

/** Credential-attempt tables (attempts, per-account locks, source blocks, alerts); they run after the bank's set. */
export const throttleMigrations: MigrationSet = { name: 'throttle', folder: new URL('./migrations/', import.meta.url) };
