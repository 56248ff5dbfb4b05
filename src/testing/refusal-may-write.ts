/**
 * "A refused request changes nothing": the check, and the short list of what a refusal may still write.
 *
 * `assertNothingWritten` compares every table (src/testing/database-snapshot.ts) and fails on any row added, removed
 * or changed, except what the allow-list entries a test names let through. Each entry is a record the bank keeps
 * *because* of the refused request, says which rows may appear or which columns may change, and why. A test names
 * only what its own refusal writes, so a refused charge that still queued a "you were charged" e-mail or a webhook
 * fails, whatever the test forgot to look at.
 */
import assert from 'node:assert/strict';
import { diffSnapshots, type DatabaseSnapshot, type TableChange } from './database-snapshot.ts';

/** What one allow-list entry lets a refusal do to one table. */
interface RefusalWrite {
  table: string;
  /** Rows may be added. */
  adds?: boolean;
  /** Existing rows may change, in these columns only ('any': in any column). */
  changes?: readonly string[] | 'any';
  /** Rows may be deleted. */
  removes?: boolean;
  /** Only rows that pass this (before and after a change) are covered. */
  where?: (row: Record<string, unknown>) => boolean;
  why: string;
}

/** The authorization server's records of a login in progress; never a grant, code or token. */
const AUTHORIZATION_IN_PROGRESS = new Set(['PushedAuthorizationRequest', 'ReplayDetection', 'Interaction', 'Session']);

/** The outbox templates that tell a customer of a lock. */
const LOCK_NOTICES = new Set(['credential_locked', 'second_factor_locked']);

/** What a refused request may write, and why. Keep it short: everything else must stay exactly as it was. */
export const REFUSAL_MAY_WRITE = {
  // The charge path records every decision, refused or not.
  risk_decision: {
    table: 'risk_decisions', adds: true,
    why: 'every charge that reaches the risk step has its decision kept, allowed or not, for the lab and the retrospective scan',
  },
  risk_velocity: {
    table: 'risk_velocity', adds: true, changes: ['charges_count'],
    why: 'velocity windows count attempts that reached the risk step, refused or not, so that probing raises the score',
  },
  operator_activity: {
    table: 'operator_activity', adds: true, changes: ['events_count'],
    why: 'an operator\'s activity counts every charge that reached the risk step, refused or not, as the velocity windows do',
  },
  operator_baseline: {
    table: 'operator_baselines', adds: true, changes: ['peak_10m', 'peak_1h', 'computed_at'],
    why: 'the charge that finds its operator\'s stored baseline stale recomputes it, whatever becomes of the charge',
  },
  operator_source: {
    table: 'operator_sources', adds: true,
    why: 'the first request from an address is noted for the operator\'s baseline of where it calls from',
  },
  risk_alert: {
    table: 'alerts', adds: true,
    why: 'a charge the risk step denies or holds raises an alert for staff, which is the point of denying it',
  },
  // Credentials tried: the throttle works from these.
  credential_attempt: {
    table: 'credential_attempts', adds: true,
    why: 'every PIN or password offered is counted, right or wrong, by fingerprint: the credential throttle reads these',
  },
  credential_failures: {
    table: 'credential_account_states', adds: true, changes: ['failures_consecutive', 'updated_at'],
    why: 'the consecutive-failure count of the account the credential was tried on (not its lock)',
  },
  credential_lock: {
    table: 'credential_account_states', adds: true, changes: ['failures_consecutive', 'updated_at', 'locked_at'],
    why: 'a failure that reaches the limit locks the credential: the lock is the refusal',
  },
  credential_lock_event: { table: 'credential_lock_events', adds: true, why: 'the lock, recorded for staff and the customer' },
  credential_block: { table: 'credential_blocks', adds: true, why: 'a source or secret blocked for spraying one PIN over many accounts' },
  credential_alert: { table: 'credential_alerts', adds: true, why: 'staff are alerted to a credential attack' },
  security_notice: {
    table: 'notification_outbox', adds: true, where: (row) => LOCK_NOTICES.has(String(row.template)),
    why: 'the customer is told a credential or second factor was locked; never a link or charge notice',
  },
  // A customer's walk through the bank's login and consent pages, which a refusal at consent leaves behind.
  login_interaction: {
    table: 'interaction_states', adds: true, changes: 'any',
    why: 'the login form\'s own state (CSRF token, which step the customer reached)',
  },
  authorization_in_progress: {
    table: 'oidc_payloads', adds: true, changes: 'any', removes: true, where: (row) => AUTHORIZATION_IN_PROGRESS.has(String(row.model)),
    why: 'the pushed request, the DPoP and client-assertion ids kept against replay, the interaction and login session: never a grant, code or token',
  },
  second_factor_spent: {
    table: 'second_factors', changes: ['totp_time_step_last', 'failures_consecutive'],
    why: 'an authenticator code used at login is spent (replay protection), and a wrong one counts toward the lock',
  },
  kyc_attestation_use: {
    table: 'kyc_attestation_uses', adds: true, removes: true,
    why: 'an attestation that verified at an approved consent is spent there, even if the identity check then refuses it, so it can never link later; uses that could no longer verify are forgotten in the same statement',
  },
  sms_code: { table: 'sms_codes', adds: true, changes: 'any', why: 'an SMS code sent for the login or the consent, and its use' },
  // The reference wallet.
  wallet_link_state_spent: {
    table: 'wallet_link_authorizations', changes: ['used_at'],
    why: 'the state of a link authorization works once: the bank\'s answer spends it, whatever the answer says',
  },
} as const satisfies Record<string, RefusalWrite>;

/** The name of an allow-list entry. */
export type RefusalWriteName = keyof typeof REFUSAL_MAY_WRITE;

/** What logging in and reaching the consent page writes: the trail a refusal at consent leaves. */
export const CONSENT_WALK_WRITES: readonly RefusalWriteName[] = [
  'credential_attempt', 'credential_failures', 'login_interaction', 'authorization_in_progress', 'second_factor_spent', 'sms_code',
];

const ROWS_SHOWN_MAX = 3;
const ROW_CHARS_MAX = 400;
const clip = (row: string) => (row.length > ROW_CHARS_MAX ? `${row.slice(0, ROW_CHARS_MAX)}…` : row);

/** The change, less what the named entries let through; undefined when nothing is left. */
function forbiddenPart(change: TableChange, entries: readonly RefusalWrite[]): TableChange | undefined {
  const mine = entries.filter((entry) => entry.table === change.table);
  const covers = (row: string, test: (entry: RefusalWrite) => boolean) => {
    const parsed = JSON.parse(row) as Record<string, unknown>;
    return mine.some((entry) => test(entry) && (entry.where?.(parsed) ?? true));
  };
  const columnsChanged = (before: string, after: string) => {
    const old = JSON.parse(before) as Record<string, unknown>;
    const now = JSON.parse(after) as Record<string, unknown>;
    return Object.keys({ ...old, ...now }).filter((column) => JSON.stringify(old[column]) !== JSON.stringify(now[column]));
  };
  const left: TableChange = {
    table: change.table,
    added: change.added.filter((row) => !covers(row, (entry) => entry.adds === true)),
    removed: change.removed.filter((row) => !covers(row, (entry) => entry.removes === true)),
    changed: change.changed.filter(({ before, after }) => {
      const columns = columnsChanged(before, after);
      const allows = (entry: RefusalWrite) =>
        entry.changes === 'any' || (entry.changes !== undefined && columns.every((column) => (entry.changes as readonly string[]).includes(column)));
      return !(covers(before, allows) && covers(after, allows));
    }),
  };
  return left.added.length + left.removed.length + left.changed.length > 0 ? left : undefined;
}

function describeChange(change: TableChange): string {
  const lines = [`${change.table}: ${change.added.length} added, ${change.changed.length} changed, ${change.removed.length} removed`];
  for (const row of change.added.slice(0, ROWS_SHOWN_MAX)) lines.push(`  + ${clip(row)}`);
  for (const row of change.changed.slice(0, ROWS_SHOWN_MAX)) lines.push(`  - ${clip(row.before)}\n  + ${clip(row.after)}`);
  for (const row of change.removed.slice(0, ROWS_SHOWN_MAX)) lines.push(`  - ${clip(row)}`);
  return lines.join('\n');
}

/**
 * Fails unless every table is exactly as in `before`, apart from what the allow-list entries named in `except` let
 * through. The message lists each table that changed otherwise, with its first rows.
 */
export function assertNothingWritten(
  before: DatabaseSnapshot,
  after: DatabaseSnapshot,
  options: { except?: readonly RefusalWriteName[]; message?: string } = {},
): void {
  const entries: RefusalWrite[] = (options.except ?? []).map((name) => REFUSAL_MAY_WRITE[name]);
  const forbidden = diffSnapshots(before, after).flatMap((change) => forbiddenPart(change, entries) ?? []);
  if (forbidden.length > 0) assert.fail(`${options.message ?? 'a refusal wrote'}:\n${forbidden.map(describeChange).join('\n')}`);
}
