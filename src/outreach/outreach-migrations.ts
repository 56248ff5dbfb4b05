import type { MigrationSet } from '../storage/migrate.ts';

/** Campaigns and their send rate; they run after the outbox and incidents. */
export const outreachMigrations: MigrationSet = { name: 'outreach', folder: new URL('./migrations/', import.meta.url) };
