import type { MigrationSet } from '../storage/migrate.ts';

/** Incidents and the cases attached to them; they run after staff, cases and the audit log. */
export const incidentsMigrations: MigrationSet = { name: 'incidents', folder: new URL('./migrations/', import.meta.url) };
