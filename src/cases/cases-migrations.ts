import type { MigrationSet } from '../storage/migrate.ts';

/** Alerts, cases and case notes; runs after the bank's and staff sets. */
export const casesMigrations: MigrationSet = { name: 'cases', folder: new URL('./migrations/', import.meta.url) };
