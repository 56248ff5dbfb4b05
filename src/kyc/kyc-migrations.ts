import type { MigrationSet } from '../storage/migrate.ts';

/** The KYC attestations already used at a consent (replay protection); depends on nothing else. */
export const kycMigrations: MigrationSet = { name: 'kyc', folder: new URL('./migrations/', import.meta.url) };
