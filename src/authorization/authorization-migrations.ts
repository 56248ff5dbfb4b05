import type { MigrationSet } from '../storage/migrate.ts';

/** The authorization server's tables; run after the bank's. */
export const authorizationMigrations: MigrationSet = { name: 'authorization', folder: new URL('./migrations/', import.meta.url) };
