import type { Database, Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import { assert } from '../shared/assert.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import type { NotifyCustomer } from '../mfa/notify-customer.ts';
import type { NewAlert } from '../cases/alert.ts';
import { CREDENTIAL_LABELS, maskAccountKey, pinAccountOf, type CredentialAttempt, type CredentialKind, type ThrottleDecision } from './credential-attempt.ts';
import { createSecretFingerprint } from './secret-fingerprint.ts';
import type { ContainOperators } from './reverse-brute-force-containment.ts';
import {
  ACCOUNT_FAILURES_ALERT_MIN, ACCOUNT_FAILURES_MAX, ALERT_SOURCES_LISTED_MAX, CONTAINMENT_OPERATOR_ACCOUNTS_MIN, DEVICE_FAILURES_PER_WINDOW_MAX,
  END_USER_FAILURES_OVER_SHARE_MAX, FAILURE_WINDOW_MS, OPERATOR_FAILURES_PER_WINDOW_HARD_MAX, OPERATOR_FAILURES_PER_WINDOW_MAX,
  REVERSE_BRUTE_FORCE_ACCOUNTS_MIN, REVERSE_BRUTE_FORCE_WINDOW_MS, SOURCE_BLOCK_MS, SOURCE_IP_FAILURES_PER_WINDOW_MAX, STAFF_ROWS_LISTED_MAX,
} from './credential-limits.ts';

export interface CredentialThrottleDeps {
  db: Database;
  clock: Clock;
  ids: Ids;
  log: Logger;
  /**
   * The HMAC key for secret fingerprints, from configuration. Every process must get the same key, so it
   * is a parameter: a random key per process would make their fingerprints disagree.
   */
  fingerprint_key: string;
  /** How the account holder hears that a credential locked. */
  notifyCustomer: NotifyCustomer;
  /**
   * The staff alert queue. A new credential alert is copied into it in the transaction that raised it, so the fraud
   * desk works one queue (the detail stays on /staff/security), and resolving the credential alert closes the copy.
   * Without it the alerts live on that page only.
   */
  alertQueue?: CredentialAlertQueue;
  /**
   * What happens to the operators a reverse brute force came through, beyond blocking the secret and the sources
   * (src/throttle/reverse-brute-force-containment.ts). Without it staff are alerted and decide.
   */
  containOperators?: ContainOperators;
}

/**
 * What the throttle needs of the staff alert queue (the case store has both); both run in the caller's transaction.
 * A queued copy takes its credential alert's id, so it is raised once and closed by that id.
 */
export interface CredentialAlertQueue {
  raiseAlert(tx: Queryable, alerts: NewAlert[]): Promise<unknown>;
  closeAlertIn(tx: Queryable, alert_id: string, by: string): Promise<unknown>;
  /** Restates a grouped alert's count; false when staff closed the queued copy. */
  recountAlertIn(tx: Queryable, alert_id: string, restated: { summary: string; details: Record<string, unknown> }): Promise<boolean>;
}

/** An account whose credential is locked (or saturated by attempts in flight), for staff. */
export interface CredentialLock {
  id: string;
  credential: CredentialKind;
  account_masked: string;
  customer_id: string | null;
  name_kanji: string | null;
  failures_consecutive: number;
  locked_at: Date | null;
}

/** A pattern staff must look at. */
export interface CredentialAlert {
  id: string;
  kind: 'reverse_brute_force' | 'operator_failure_rate' | 'account_failures' | 'legacy_pin_locks';
  credential: CredentialKind;
  /**
   * A fingerprint prefix (never the secret), an operator id, an account key (account_failures), or
   * '<operator id or none>|<device:id or ip:address>' (legacy_pin_locks, whose accounts_count counts the locks).
   */
  subject: string;
  accounts_count: number;
  failures_count: number;
  source_ips: string[];
  device_ids: string[];
  operator_ids: string[];
  raised_at: Date;
  updated_at: Date;
}

/** A source or secret refused outright. */
export interface CredentialBlock {
  id: string;
  /** end_user_ip: '<operator id>|<address, or IPv6 /64>', an address the operator relayed, blocked at that operator only. */
  dimension: 'source_ip' | 'device_id' | 'secret_fingerprint' | 'end_user_ip';
  value: string;
  alert_id: string | null;
  blocked_at: Date;
  blocked_until: Date;
}

const DEVICE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Fingerprints are shown to staff shortened: enough to tell alerts apart, useless for anything else. */
const FINGERPRINT_SHOWN_CHARS = 10;

function checkAttemptShape(attempt: CredentialAttempt): void {
  assert(attempt.account_key.length > 0 && attempt.account_key.length <= 100, 'an account key is 1 to 100 characters');
  assert(attempt.source_ip.length > 0 && attempt.source_ip.length <= 64, 'a source IP is 1 to 64 characters');
  assert(attempt.end_user_ip === undefined || attempt.operator_id !== undefined, 'only an operator relays an end user address');
  assert(attempt.device_id === undefined || DEVICE_ID.test(attempt.device_id), 'a device id is 1 to 128 safe characters');
  assert(attempt.operator_id === undefined || isUuid(attempt.operator_id), 'an operator id is a UUID');
  assert(attempt.customer_id === undefined || isUuid(attempt.customer_id), 'a customer id is a UUID');
  assert(attempt.account_operator_id === undefined || isUuid(attempt.account_operator_id), 'an account operator id is a UUID');
}

/** What a queued credential alert carries: the alert on /staff/security it mirrors, and the spread, capped. */
function queueDetails(credential_alert_id: string, credential: CredentialKind,
  spread: { accounts: number; failures: number; source_ips: string[]; device_ids: string[]; operator_ids: string[] }): Record<string, unknown> {
  return {
    credential_alert_id, credential, accounts_count: spread.accounts, failures_count: spread.failures,
    source_ips: spread.source_ips.slice(0, ALERT_SOURCES_LISTED_MAX), device_ids: spread.device_ids.slice(0, ALERT_SOURCES_LISTED_MAX),
    operator_ids: spread.operator_ids.slice(0, ALERT_SOURCES_LISTED_MAX), see: '/staff/security',
  };
}

/**
 * Throttling against credential attacks, kept in SQL so every API process agrees. Call `check` before
 * verifying a secret, then `recordFailure` or `recordSuccess`. Counts per account (consecutive, with a lock
 * and notification), per source IP, device and operator (sliding windows), and one secret across many
 * accounts (reverse brute force: blocks the sources and the secret, and raises a staff alert).
 */
export function createCredentialThrottle({ db, clock, ids, log, fingerprint_key, notifyCustomer, alertQueue, containOperators }: CredentialThrottleDeps) {
  const fingerprint = createSecretFingerprint(fingerprint_key);
  const ago = (ms: number) => new Date(clock.now().getTime() - ms);

  const insertAttempt = (attempt: CredentialAttempt, secret_fingerprint: string, outcome: 'failure' | 'success') =>
    db.query(
      `INSERT INTO credential_attempts (id, credential, account_key, operator_id, source_ip, end_user_ip, end_user_ip_key, device_id,
         secret_fingerprint, outcome, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [ids.next(), attempt.credential, attempt.account_key, attempt.operator_id ?? null, attempt.source_ip,
        attempt.end_user_ip?.address ?? null, attempt.end_user_ip?.counting_key ?? null, attempt.device_id ?? null, secret_fingerprint, outcome, clock.now()],
    );

  /** How a relayed end-user address is blocked: within the operator that relayed it. */
  const endUserBlockValue = (operator_id: string, counting_key: string) => `${operator_id}|${counting_key}`;

  /**
   * Is the source or the secret blocked, or is a source over its window? Reads only. The source is the end user's
   * address when the operator relays it (counted within that operator), else the connecting address; a device counts
   * within its operator. Over its share an operator's end users get a few failures each, and those it names no
   * address for none (see OPERATOR_FAILURES_PER_WINDOW_MAX).
   */
  const sourceThrottled = async (attempt: CredentialAttempt, secret_fingerprint: string): Promise<boolean> => {
    const end_user_key = attempt.end_user_ip?.counting_key ?? null;
    const [blocked] = await db.query(
      `SELECT 1 FROM credential_blocks
        WHERE lifted_at IS NULL AND blocked_until > $4
          AND ((dimension = 'source_ip' AND value = $1) OR (dimension = 'device_id' AND value = $2)
               OR (dimension = 'secret_fingerprint' AND value = $3) OR (dimension = 'end_user_ip' AND value = $5))
        LIMIT 1`,
      [attempt.source_ip, attempt.device_id ?? null, secret_fingerprint, clock.now(),
        end_user_key && attempt.operator_id ? endUserBlockValue(attempt.operator_id, end_user_key) : null],
    );
    if (blocked) return true;
    const [counts] = await db.query<{ ip: number; device: number; operator: number }>(
      `SELECT count(*) FILTER (WHERE CASE WHEN $5::text IS NULL THEN source_ip = $1 AND end_user_ip_key IS NULL
                                         ELSE operator_id = $3 AND end_user_ip_key = $5 END)::int AS ip,
              count(*) FILTER (WHERE device_id = $2 AND operator_id IS NOT DISTINCT FROM $3::uuid)::int AS device,
              count(*) FILTER (WHERE operator_id = $3)::int AS operator
         FROM credential_attempts
        WHERE outcome = 'failure' AND at > $4 AND (source_ip = $1 OR device_id = $2 OR operator_id = $3)`,
      [attempt.source_ip, attempt.device_id ?? null, attempt.operator_id ?? null, ago(FAILURE_WINDOW_MS), end_user_key],
    );
    assert(counts, 'an aggregate answers one row');
    if (counts.ip >= SOURCE_IP_FAILURES_PER_WINDOW_MAX || counts.device >= DEVICE_FAILURES_PER_WINDOW_MAX) return true;
    if (counts.operator < OPERATOR_FAILURES_PER_WINDOW_MAX) return false;
    if (counts.operator >= OPERATOR_FAILURES_PER_WINDOW_HARD_MAX || end_user_key === null) return true;
    return counts.ip >= END_USER_FAILURES_OVER_SHARE_MAX || counts.device >= END_USER_FAILURES_OVER_SHARE_MAX;
  };

  /**
   * Counts the attempt against its account before the secret is checked, in one statement, so attempts racing
   * in several processes can never exceed the limit. False when the account is locked or already at its limit.
   */
  const reserveAccountAttempt = async (attempt: CredentialAttempt, failures_max: number): Promise<boolean> => {
    const rows = await db.query(
      `INSERT INTO credential_account_states (id, credential, account_key, failures_consecutive, updated_at)
       VALUES ($1, $2, $3, 1, $4)
       ON CONFLICT (credential, account_key) DO UPDATE
          SET failures_consecutive = credential_account_states.failures_consecutive + 1, updated_at = EXCLUDED.updated_at
        WHERE credential_account_states.locked_at IS NULL AND credential_account_states.failures_consecutive < $5
       RETURNING 1`,
      [ids.next(), attempt.credential, attempt.account_key, clock.now(), failures_max],
    );
    return rows.length > 0;
  };

  /**
   * A legacy PIN lock raises an alert, grouped per operator and per source (the device when the operator relays one,
   * else the address): the first lock of a group raises it, later ones count on it, so a spray through one wallet is
   * one alert that grows rather than a flood. In the lock's transaction. When staff closed the queued copy while the
   * group's alert stayed open on /staff/security, that alert is retired and a new one raised, so no lock goes unseen.
   */
  const raiseLegacyPinLockAlert = async (tx: Queryable, attempt: CredentialAttempt, failures: number): Promise<void> => {
    const source = attempt.device_id ? `device:${attempt.device_id}` : `ip:${attempt.source_ip}`;
    const subject = `${attempt.operator_id ?? 'none'}|${source}`;
    const now = clock.now();
    for (let tries = 0; tries < 2; tries++) {
      const [row] = await tx.query<{ id: string; inserted: boolean; accounts_count: number; failures_count: number }>(
        `INSERT INTO credential_alerts (id, kind, credential, subject, accounts_count, failures_count, source_ips, device_ids, operator_ids, raised_at, updated_at)
         VALUES ($1, 'legacy_pin_locks', 'legacy_pin', $2, 1, $3, ARRAY[$4]::text[], $5::text[], $6::text[], $7, $7)
         ON CONFLICT (kind, credential, subject) WHERE resolved_at IS NULL DO UPDATE
            SET accounts_count = credential_alerts.accounts_count + 1, failures_count = credential_alerts.failures_count + EXCLUDED.failures_count,
                updated_at = EXCLUDED.updated_at
         RETURNING id, (xmax = 0) AS inserted, accounts_count, failures_count`,
        [ids.next(), subject, failures, attempt.source_ip, attempt.device_id ? [attempt.device_id] : [],
          attempt.operator_id ? [attempt.operator_id] : [], now],
      );
      assert(row, 'the alert upsert returns its row');
      if (!alertQueue) return;
      const queued = {
        summary: `${CREDENTIAL_LABELS.legacy_pin}: ${row.accounts_count} account${row.accounts_count === 1 ? '' : 's'} locked through one operator from ${source}`,
        details: {
          credential_alert_id: row.id, credential: 'legacy_pin', locks_count: row.accounts_count, failures_count: row.failures_count,
          source_ips: [attempt.source_ip], device_ids: attempt.device_id ? [attempt.device_id] : [], last_lock_at: now.toISOString(),
          see: '/staff/security',
        },
      };
      if (row.inserted) {
        await alertQueue.raiseAlert(tx, [{
          id: row.id, kind: 'credential_legacy_pin_locks', severity: 'high', at: now, operator_id: attempt.operator_id ?? null,
          reason_codes: ['legacy_pin_locked'], ...queued,
        }]);
        return;
      }
      if (await alertQueue.recountAlertIn(tx, row.id, queued)) return;
      await tx.query(`UPDATE credential_alerts SET resolved_at = $2, resolved_by = 'system:queue-closed' WHERE id = $1`, [row.id, now]);
    }
    assert(false, 'a retired legacy PIN lock alert makes room for a new one');
  };

  /** Locks the account once its consecutive failures reach the limit; tells the holder. True when this failure locked it. */
  const lockIfAtLimit = async (attempt: CredentialAttempt, failures_max: number): Promise<boolean> => {
    const locked = await db.transaction(async (tx) => {
      const [state] = await tx.query<{ id: string; customer_id: string | null; locked_now: boolean }>(
        `WITH before AS (
           SELECT id, locked_at FROM credential_account_states WHERE credential = $1 AND account_key = $2 FOR UPDATE)
         UPDATE credential_account_states s
            SET customer_id = coalesce($5, s.customer_id),
                locked_at = CASE WHEN s.locked_at IS NULL AND s.failures_consecutive >= $4 THEN $3::timestamptz ELSE s.locked_at END
           FROM before WHERE s.id = before.id
         RETURNING s.id, s.customer_id, (before.locked_at IS NULL AND s.locked_at IS NOT NULL) AS locked_now`,
        [attempt.credential, attempt.account_key, clock.now(), failures_max, attempt.customer_id ?? null],
      );
      if (!state?.locked_now) return undefined;
      await tx.query(`INSERT INTO credential_lock_events (id, state_id, event, actor, at) VALUES ($1, $2, 'locked', 'system', $3)`,
        [ids.next(), state.id, clock.now()]);
      if (attempt.credential === 'legacy_pin') await raiseLegacyPinLockAlert(tx, attempt, failures_max);
      // A known customer's login lock reaches the queue; an unknown id's is noise that the spray detectors count.
      else if (attempt.credential === 'password' && state.customer_id && alertQueue) {
        await alertQueue.raiseAlert(tx, [{
          kind: 'credential_login_locked', severity: 'medium', customer_id: state.customer_id, operator_id: attempt.operator_id ?? null,
          reason_codes: ['password_locked'], summary: `Internet banking login locked after ${failures_max} wrong passwords`,
          details: { source_ips: [attempt.source_ip], device_ids: attempt.device_id ? [attempt.device_id] : [], see: '/staff/security' },
        }]);
      }
      return state;
    });
    if (!locked) return false;
    const account_masked = maskAccountKey(attempt.account_key);
    log.warn({ credential: attempt.credential, account: account_masked, failures_max }, 'credential locked after consecutive failures');
    if (locked.customer_id && (attempt.credential === 'legacy_pin' || attempt.credential === 'password')) {
      try {
        await notifyCustomer(locked.customer_id, { kind: 'credential_locked', credential: attempt.credential, account: pinAccountOf(attempt.account_key) });
      } catch (error) {
        log.error({ err: error, customer_id: locked.customer_id }, 'customer notification failed');
      }
    }
    return true;
  };

  /** One secret failing on many accounts: raise (or refresh) the alert and block the secret and every source it came from. */
  const detectReverseBruteForce = async (attempt: CredentialAttempt, secret_fingerprint: string): Promise<void> => {
    const since = ago(REVERSE_BRUTE_FORCE_WINDOW_MS);
    const [spread] = await db.query<{ accounts: number; failures: number; source_ips: string[]; device_ids: string[]; operator_ids: string[] }>(
      `SELECT count(DISTINCT account_key)::int AS accounts, count(*)::int AS failures,
              coalesce(array_agg(DISTINCT source_ip), '{}') AS source_ips,
              coalesce(array_agg(DISTINCT device_id) FILTER (WHERE device_id IS NOT NULL), '{}') AS device_ids,
              coalesce(array_agg(DISTINCT operator_id::text) FILTER (WHERE operator_id IS NOT NULL), '{}') AS operator_ids
         FROM credential_attempts
        WHERE credential = $1 AND secret_fingerprint = $2 AND outcome = 'failure' AND at > $3`,
      [attempt.credential, secret_fingerprint, since],
    );
    assert(spread, 'an aggregate answers one row');
    if (spread.accounts < REVERSE_BRUTE_FORCE_ACCOUNTS_MIN) return;
    const now = clock.now();
    const raised = await db.transaction(async (tx) => {
      const [alert] = await tx.query<{ id: string; inserted: boolean }>(
        `INSERT INTO credential_alerts (id, kind, credential, subject, accounts_count, failures_count, source_ips, device_ids, operator_ids, raised_at, updated_at)
         VALUES ($1, 'reverse_brute_force', $2, $3, $4, $5, $6, $7, $8, $9, $9)
         ON CONFLICT (kind, credential, subject) WHERE resolved_at IS NULL DO UPDATE
            SET accounts_count = EXCLUDED.accounts_count, failures_count = EXCLUDED.failures_count, source_ips = EXCLUDED.source_ips,
                device_ids = EXCLUDED.device_ids, operator_ids = EXCLUDED.operator_ids, updated_at = EXCLUDED.updated_at
         RETURNING id, (xmax = 0) AS inserted`,
        [ids.next(), attempt.credential, secret_fingerprint, spread.accounts, spread.failures,
          spread.source_ips.slice(0, ALERT_SOURCES_LISTED_MAX), spread.device_ids.slice(0, ALERT_SOURCES_LISTED_MAX),
          spread.operator_ids.slice(0, ALERT_SOURCES_LISTED_MAX), now],
      );
      assert(alert, 'the alert upsert returns its row');
      if (alert.inserted && alertQueue) {
        await alertQueue.raiseAlert(tx, [{
          id: alert.id, kind: 'credential_reverse_brute_force', severity: 'high', at: now, reason_codes: ['reverse_brute_force'],
          summary: `${CREDENTIAL_LABELS[attempt.credential]}: one secret failing across ${spread.accounts} accounts from ${spread.source_ips.length + spread.device_ids.length} sources`,
          operator_id: spread.operator_ids.length === 1 ? spread.operator_ids[0]! : null,
          details: queueDetails(alert.id, attempt.credential, spread),
        }]);
      }
      // Block the end user behind each failure (the device and the address the operator relayed, the address
      // within that operator; the connecting address only when the operator named neither, since otherwise it is
      // the operator's server and every honest user's too) and the secret itself, so rotating addresses or
      // devices does not let the spray go on.
      const sources = await tx.query<{ dimension: string; value: string }>(
        `SELECT DISTINCT s.dimension, s.value
           FROM credential_attempts a
          CROSS JOIN LATERAL (VALUES
                 ('device_id', a.device_id),
                 ('end_user_ip', CASE WHEN a.end_user_ip_key IS NOT NULL THEN a.operator_id::text || '|' || a.end_user_ip_key END),
                 ('source_ip', CASE WHEN a.device_id IS NULL AND a.end_user_ip_key IS NULL THEN a.source_ip END)) AS s (dimension, value)
          WHERE a.credential = $1 AND a.secret_fingerprint = $2 AND a.outcome = 'failure' AND a.at > $3 AND s.value IS NOT NULL`,
        [attempt.credential, secret_fingerprint, since],
      );
      const targets = [...sources, { dimension: 'secret_fingerprint', value: secret_fingerprint }];
      await tx.query(
        `INSERT INTO credential_blocks (id, dimension, value, alert_id, blocked_at, blocked_until)
         SELECT id, dimension, value, $4, $5, $6 FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t (id, dimension, value)
         ON CONFLICT (dimension, value) WHERE lifted_at IS NULL DO UPDATE
            SET blocked_until = greatest(credential_blocks.blocked_until, EXCLUDED.blocked_until),
                alert_id = coalesce(credential_blocks.alert_id, EXCLUDED.alert_id)`,
        [targets.map(() => ids.next()), targets.map((t) => t.dimension), targets.map((t) => t.value), alert.id, now,
          new Date(now.getTime() + SOURCE_BLOCK_MS)],
      );
      return alert;
    });
    if (raised.inserted) {
      log.warn({ alert_id: raised.id, credential: attempt.credential, accounts: spread.accounts, source_ips: spread.source_ips.length },
        'reverse brute force detected: one secret failing across many accounts');
    }
    if (!containOperators || attempt.credential !== 'legacy_pin') return;
    // Every hit, not only the first: an operator the spray moves on to is contained as soon as it carries it.
    const targets = await db.query<{ operator_id: string; accounts: number }>(
      `SELECT operator_id::text AS operator_id, count(DISTINCT account_key)::int AS accounts
         FROM credential_attempts
        WHERE credential = $1 AND secret_fingerprint = $2 AND outcome = 'failure' AND at > $3 AND operator_id IS NOT NULL
        GROUP BY operator_id HAVING count(DISTINCT account_key) >= $4`,
      [attempt.credential, secret_fingerprint, since, CONTAINMENT_OPERATOR_ACCOUNTS_MIN],
    );
    await containOperators(raised.id, targets);
  };

  /** An operator whose users fail beyond its window gets a staff alert (its attempts are already refused by `check`). */
  const detectOperatorFailureRate = async (attempt: CredentialAttempt): Promise<void> => {
    if (!attempt.operator_id) return;
    const [rate] = await db.query<{ accounts: number; failures: number; source_ips: string[]; device_ids: string[] }>(
      `SELECT count(DISTINCT account_key)::int AS accounts, count(*)::int AS failures,
              coalesce(array_agg(DISTINCT source_ip), '{}') AS source_ips,
              coalesce(array_agg(DISTINCT device_id) FILTER (WHERE device_id IS NOT NULL), '{}') AS device_ids
         FROM credential_attempts WHERE operator_id = $1 AND outcome = 'failure' AND at > $2`,
      [attempt.operator_id, ago(FAILURE_WINDOW_MS)],
    );
    assert(rate, 'an aggregate answers one row');
    if (rate.failures < OPERATOR_FAILURES_PER_WINDOW_MAX) return;
    const operator_id = attempt.operator_id;
    const now = clock.now();
    const alert = await db.transaction(async (tx) => {
      const [row] = await tx.query<{ id: string; inserted: boolean }>(
        `INSERT INTO credential_alerts (id, kind, credential, subject, accounts_count, failures_count, source_ips, device_ids, operator_ids, raised_at, updated_at)
         VALUES ($1, 'operator_failure_rate', $2, $3, $4, $5, $6, $7, ARRAY[$3], $8, $8)
         ON CONFLICT (kind, credential, subject) WHERE resolved_at IS NULL DO UPDATE
            SET accounts_count = EXCLUDED.accounts_count, failures_count = EXCLUDED.failures_count, source_ips = EXCLUDED.source_ips,
                device_ids = EXCLUDED.device_ids, updated_at = EXCLUDED.updated_at
         RETURNING id, (xmax = 0) AS inserted`,
        [ids.next(), attempt.credential, operator_id, rate.accounts, rate.failures,
          rate.source_ips.slice(0, ALERT_SOURCES_LISTED_MAX), rate.device_ids.slice(0, ALERT_SOURCES_LISTED_MAX), now],
      );
      if (row?.inserted && alertQueue) {
        await alertQueue.raiseAlert(tx, [{
          id: row.id, kind: 'credential_operator_failure_rate', severity: 'high', at: now, operator_id, reason_codes: ['operator_failure_rate'],
          summary: `${CREDENTIAL_LABELS[attempt.credential]}: ${rate.failures} failures over ${rate.accounts} accounts through one operator`,
          details: queueDetails(row.id, attempt.credential, { ...rate, operator_ids: [operator_id] }),
        }]);
      }
      return row;
    });
    if (alert?.inserted) log.warn({ alert_id: alert.id, operator_id: attempt.operator_id, failures: rate.failures }, 'operator failure rate over its limit');
  };

  /** One account failing again and again (a staff login, an operator's secret): one open alert per account, kept up to date. */
  const detectAccountFailures = async (attempt: CredentialAttempt): Promise<void> => {
    const alert_min = ACCOUNT_FAILURES_ALERT_MIN[attempt.credential];
    if (alert_min === null) return;
    const [rate] = await db.query<{ failures: number; source_ips: string[]; device_ids: string[] }>(
      `SELECT count(*)::int AS failures, coalesce(array_agg(DISTINCT source_ip), '{}') AS source_ips,
              coalesce(array_agg(DISTINCT device_id) FILTER (WHERE device_id IS NOT NULL), '{}') AS device_ids
         FROM credential_attempts WHERE credential = $1 AND account_key = $2 AND outcome = 'failure' AND at > $3`,
      [attempt.credential, attempt.account_key, ago(FAILURE_WINDOW_MS)],
    );
    assert(rate, 'an aggregate answers one row');
    if (rate.failures < alert_min) return;
    const now = clock.now();
    const operator_ids = attempt.account_operator_id ? [attempt.account_operator_id] : [];
    const account = maskAccountKey(attempt.account_key);
    const alert = await db.transaction(async (tx) => {
      const [row] = await tx.query<{ id: string; inserted: boolean }>(
        `INSERT INTO credential_alerts (id, kind, credential, subject, accounts_count, failures_count, source_ips, device_ids, operator_ids, raised_at, updated_at)
         VALUES ($1, 'account_failures', $2, $3, 1, $4, $5, $6, $7, $8, $8)
         ON CONFLICT (kind, credential, subject) WHERE resolved_at IS NULL DO UPDATE
            SET failures_count = EXCLUDED.failures_count, source_ips = EXCLUDED.source_ips, device_ids = EXCLUDED.device_ids, updated_at = EXCLUDED.updated_at
         RETURNING id, (xmax = 0) AS inserted`,
        [ids.next(), attempt.credential, attempt.account_key, rate.failures,
          rate.source_ips.slice(0, ALERT_SOURCES_LISTED_MAX), rate.device_ids.slice(0, ALERT_SOURCES_LISTED_MAX), operator_ids, now],
      );
      if (row?.inserted && alertQueue) {
        await alertQueue.raiseAlert(tx, [{
          id: row.id, kind: 'credential_account_failures', severity: 'high', at: now, operator_id: attempt.account_operator_id ?? null,
          reason_codes: ['account_failures'],
          summary: `${CREDENTIAL_LABELS[attempt.credential]}: ${rate.failures} failures on ${account} within the hour from ${rate.source_ips.length} addresses`,
          details: { ...queueDetails(row.id, attempt.credential, { ...rate, accounts: 1, operator_ids }), account },
        }]);
      }
      return row;
    });
    if (alert?.inserted) log.warn({ alert_id: alert.id, credential: attempt.credential, account, failures: rate.failures }, 'one account failing repeatedly');
  };

  return {
    /**
     * Decides, before the secret is looked at, whether this attempt may be verified: `too_many_attempts` for a
     * blocked or throttled source, operator or secret, `credential_attempts_locked` for a locked account.
     */
    async check(attempt: CredentialAttempt): Promise<ThrottleDecision> {
      checkAttemptShape(attempt);
      if (await sourceThrottled(attempt, fingerprint(attempt.credential, attempt.secret))) {
        log.info({ credential: attempt.credential, source_ip: attempt.source_ip, operator_id: attempt.operator_id }, 'credential attempt throttled');
        return { ok: false, code: 'too_many_attempts' };
      }
      const failures_max = ACCOUNT_FAILURES_MAX[attempt.credential];
      if (failures_max !== null && !(await reserveAccountAttempt(attempt, failures_max))) {
        log.info({ credential: attempt.credential, account: maskAccountKey(attempt.account_key) }, 'credential attempt on a locked account');
        return { ok: false, code: 'credential_attempts_locked' };
      }
      return { ok: true };
    },

    /**
     * Records a failed attempt; may lock the account, block sources and raise alerts. `locked_now` says this failure
     * locked the account, so the page can say "locked" at once rather than "wrong" one more time.
     */
    async recordFailure(attempt: CredentialAttempt): Promise<{ locked_now: boolean }> {
      checkAttemptShape(attempt);
      const secret_fingerprint = fingerprint(attempt.credential, attempt.secret);
      await insertAttempt(attempt, secret_fingerprint, 'failure');
      const failures_max = ACCOUNT_FAILURES_MAX[attempt.credential];
      const locked_now = failures_max !== null && await lockIfAtLimit(attempt, failures_max);
      await detectReverseBruteForce(attempt, secret_fingerprint);
      await detectOperatorFailureRate(attempt);
      await detectAccountFailures(attempt);
      return { locked_now };
    },

    /** Records a successful attempt; the account's consecutive failures start again from zero. */
    async recordSuccess(attempt: CredentialAttempt): Promise<void> {
      checkAttemptShape(attempt);
      await insertAttempt(attempt, fingerprint(attempt.credential, attempt.secret), 'success');
      await db.query(
        `UPDATE credential_account_states SET failures_consecutive = 0, updated_at = $3, customer_id = coalesce($4, customer_id)
          WHERE credential = $1 AND account_key = $2 AND locked_at IS NULL`,
        [attempt.credential, attempt.account_key, clock.now(), attempt.customer_id ?? null],
      );
    },

    /** Unlocks a locked account credential (staff only); recorded with who did it. False if it was not locked. */
    async unlockAccount(lock_id: string, { by }: { by: string }): Promise<boolean> {
      assert(by.length > 0, 'an unlock names who did it');
      if (!isUuid(lock_id)) return false;
      const unlocked = await db.transaction(async (tx: Queryable) => {
        const [state] = await tx.query<{ credential: CredentialKind; account_key: string }>(
          `UPDATE credential_account_states SET locked_at = NULL, failures_consecutive = 0, updated_at = $2
            WHERE id = $1 AND (locked_at IS NOT NULL OR failures_consecutive > 0) RETURNING credential, account_key`,
          [lock_id, clock.now()],
        );
        if (!state) return undefined;
        await tx.query(`INSERT INTO credential_lock_events (id, state_id, event, actor, at) VALUES ($1, $2, 'unlocked', $3, $4)`,
          [ids.next(), lock_id, `staff:${by}`, clock.now()]);
        return state;
      });
      if (unlocked) log.info({ credential: unlocked.credential, account: maskAccountKey(unlocked.account_key), staff_id: by }, 'credential unlocked');
      return unlocked !== undefined;
    },

    /** Unlocks the account with this key (`furikae staff unlock`); as unlockAccount. False if it was not locked. */
    async unlockAccountKey(credential: CredentialKind, account_key: string, { by }: { by: string }): Promise<boolean> {
      const [state] = await db.query<{ id: string }>(
        `SELECT id FROM credential_account_states WHERE credential = $1 AND account_key = $2`, [credential, account_key]);
      return state ? this.unlockAccount(state.id, { by }) : false;
    },

    /** Lifts a block before it runs out (staff only); recorded with who did it. False if it was not live. */
    async liftBlock(block_id: string, { by }: { by: string }): Promise<boolean> {
      assert(by.length > 0, 'lifting a block names who did it');
      if (!isUuid(block_id)) return false;
      const rows = await db.query(
        `UPDATE credential_blocks SET lifted_at = $2, lifted_by = $3 WHERE id = $1 AND lifted_at IS NULL RETURNING 1`,
        [block_id, clock.now(), `staff:${by}`],
      );
      if (rows.length > 0) log.info({ block_id, staff_id: by }, 'credential block lifted');
      return rows.length > 0;
    },

    /** Marks an alert as handled (staff only). Its blocks stay until they run out or are lifted. */
    async resolveAlert(alert_id: string, { by }: { by: string }): Promise<boolean> {
      assert(by.length > 0, 'resolving an alert names who did it');
      if (!isUuid(alert_id)) return false;
      const now = clock.now();
      const resolved = await db.transaction(async (tx) => {
        const rows = await tx.query(
          `UPDATE credential_alerts SET resolved_at = $2, resolved_by = $3 WHERE id = $1 AND resolved_at IS NULL RETURNING 1`,
          [alert_id, now, `staff:${by}`],
        );
        if (rows.length === 0) return false;
        // Its copy in the staff alert queue closes with it, so nobody works it twice.
        await alertQueue?.closeAlertIn(tx, alert_id, by);
        return true;
      });
      if (resolved) log.info({ alert_id, staff_id: by }, 'credential alert resolved');
      return resolved;
    },

    /** Locked accounts, and accounts at their limit with attempts still in flight, newest first (one customer's, when given). */
    async listLocks(filter: { customer_id?: string } = {}): Promise<CredentialLock[]> {
      const rows = await db.query<Omit<CredentialLock, 'account_masked'> & { account_key: string }>(
        `SELECT s.id, s.credential, s.account_key, s.customer_id, c.name_kanji, s.failures_consecutive, s.locked_at
           FROM credential_account_states s LEFT JOIN customers c ON c.id = s.customer_id
          WHERE (s.locked_at IS NOT NULL
                 OR s.failures_consecutive >= CASE s.credential WHEN 'legacy_pin' THEN $1::int WHEN 'password' THEN $2::int
                                                                WHEN 'staff_login' THEN $5::int ELSE NULL END)
            AND ($4::uuid IS NULL OR s.customer_id = $4)
          ORDER BY s.updated_at DESC LIMIT $3`,
        [ACCOUNT_FAILURES_MAX.legacy_pin, ACCOUNT_FAILURES_MAX.password, STAFF_ROWS_LISTED_MAX, filter.customer_id ?? null, ACCOUNT_FAILURES_MAX.staff_login],
      );
      return rows.map(({ account_key, ...row }) => ({ ...row, account_masked: maskAccountKey(account_key) }));
    },

    /** Open alerts, newest first; fingerprints shortened. */
    async listAlerts(): Promise<CredentialAlert[]> {
      const rows = await db.query<CredentialAlert>(
        `SELECT id, kind, credential, subject, accounts_count, failures_count, source_ips, device_ids, operator_ids, raised_at, updated_at
           FROM credential_alerts WHERE resolved_at IS NULL ORDER BY raised_at DESC LIMIT $1`,
        [STAFF_ROWS_LISTED_MAX],
      );
      return rows.map((row) => (row.kind === 'reverse_brute_force' ? { ...row, subject: `${row.subject.slice(0, FINGERPRINT_SHOWN_CHARS)}…` } : row));
    },

    /** Live blocks, newest first; fingerprints shortened. */
    async listBlocks(): Promise<CredentialBlock[]> {
      const rows = await db.query<CredentialBlock>(
        `SELECT id, dimension, value, alert_id, blocked_at, blocked_until FROM credential_blocks
          WHERE lifted_at IS NULL AND blocked_until > $1 ORDER BY blocked_at DESC LIMIT $2`,
        [clock.now(), STAFF_ROWS_LISTED_MAX],
      );
      return rows.map((row) => (row.dimension === 'secret_fingerprint' ? { ...row, value: `${row.value.slice(0, FINGERPRINT_SHOWN_CHARS)}…` } : row));
    },
  };
}

export type CredentialThrottle = ReturnType<typeof createCredentialThrottle>;
