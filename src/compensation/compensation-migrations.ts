import type { MigrationSet } from '../storage/migrate.ts';

/** Compensation agreements and compensations; they run after incidents, charges and operators. */
export const compensationMigrations: MigrationSet = { name: 'compensation', folder: new URL('./migrations/', import.meta.url) };
