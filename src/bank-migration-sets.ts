import type { MigrationSet } from './storage/migrate.ts';
import { ledgerMigrations } from './ledger/ledger-migrations.ts';
import { bankMigrations } from './bank/bank-migrations.ts';
import { mfaMigrations } from './mfa/mfa-migrations.ts';
import { throttleMigrations } from './throttle/throttle-migrations.ts';
import { authorizationMigrations } from './authorization/authorization-migrations.ts';
import { staffMigrations } from './staff/staff-migrations.ts';
import { webMigrations } from './web/web-migrations.ts';
import { auditMigrations } from './audit/audit-migrations.ts';
import { casesMigrations } from './cases/cases-migrations.ts';
import { notifyMigrations } from './notify/notify-migrations.ts';
import { riskMigrations } from './risk/risk-migrations.ts';
import { webhookMigrations } from './webhooks/webhook-migrations.ts';
import { scanMigrations } from './scan/scan-migrations.ts';
import { kycMigrations } from './kyc/kyc-migrations.ts';
import { incidentsMigrations } from './incidents/incidents-migrations.ts';
import { compensationMigrations } from './compensation/compensation-migrations.ts';
import { outreachMigrations } from './outreach/outreach-migrations.ts';
import { operatorMigrations } from './operators/operator-migrations.ts';
import { linkingMigrations } from './linking/linking-migrations.ts';

/** Every migration set of the bank's database, in the order they must run (later sets reference earlier tables). */
export const bankMigrationSets: readonly MigrationSet[] = [
  ledgerMigrations,
  bankMigrations,
  mfaMigrations,
  throttleMigrations,
  authorizationMigrations,
  staffMigrations,
  webMigrations,
  auditMigrations,
  casesMigrations,
  notifyMigrations,
  riskMigrations,
  webhookMigrations,
  scanMigrations,
  kycMigrations,
  incidentsMigrations,
  compensationMigrations,
  outreachMigrations,
  operatorMigrations,
  linkingMigrations,
];
