import type { MigrationSet } from '../storage/migrate.ts';

/** Per-operator activity, baselines, sources and containment; after the risk set (it extends `operators`). */
export const operatorMigrations: MigrationSet = { name: 'operators', folder: new URL('./migrations/', import.meta.url) };
