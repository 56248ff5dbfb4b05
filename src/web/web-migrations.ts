import type { MigrationSet } from '../storage/migrate.ts';

/** Web sessions' expiry, the form-token key; runs after the authorization and staff sets, whose tables it changes. */
export const webMigrations: MigrationSet = { name: 'web', folder: new URL('./migrations/', import.meta.url) };
