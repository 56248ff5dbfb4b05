import type { Queryable } from '../storage/database.ts';
import { loginAccountKey, pinAccountKey } from '../throttle/credential-attempt.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How far back a failed attempt counts: a day covers a thief who guesses at night and charges in the morning. */
export const CREDENTIAL_FAILURE_LOOKBACK_MS = DAY_MS;
/** How far back a lock counts once it has been lifted: a week, long enough for a quiet retry. */
export const CREDENTIAL_LOCK_LOOKBACK_MS = 7 * DAY_MS;

/** Whose credentials to look at: the account's cash-card PIN and the customer's internet-banking login. */
export interface CredentialSubject {
  customer_id: string;
  branch_code: string;
  account_number: string;
  login_id: string;
}

/** Failed and locked credential history of one subject (src/throttle and src/mfa tables). */
export interface CredentialHistory {
  failures_24h: number;
  last_failure_at: Date | null;
  last_lock_at: Date | null;
}

const subjectKey = (s: CredentialSubject) => `${s.customer_id}:${s.branch_code}-${s.account_number}`;

/** Reads the history of every subject in one query; keyed by customer and account. */
export async function loadCredentialHistory(tx: Queryable, subjects: readonly CredentialSubject[], now: Date): Promise<Map<string, CredentialHistory>> {
  const unique = [...new Map(subjects.map((s) => [subjectKey(s), s])).values()];
  const history = new Map<string, CredentialHistory>();
  if (unique.length === 0) return history;
  const rows = await tx.query<{ i: number; failures_24h: number; last_failure_at: Date | null; last_lock_at: Date | null }>(
    `SELECT k.i,
            f.failures_24h, f.last_failure_at,
            greatest(
              (SELECT max(s.locked_at) FROM credential_account_states s
                WHERE s.locked_at IS NOT NULL AND ((s.credential = 'legacy_pin' AND s.account_key = k.pin_key) OR (s.credential = 'password' AND s.account_key = k.login_key))),
              (SELECT max(e.at) FROM credential_lock_events e JOIN credential_account_states s ON s.id = e.state_id
                WHERE e.event = 'locked' AND e.at > $5 AND ((s.credential = 'legacy_pin' AND s.account_key = k.pin_key) OR (s.credential = 'password' AND s.account_key = k.login_key))),
              (SELECT max(sf.locked_at) FROM second_factors sf WHERE sf.customer_id = k.customer_id AND sf.locked_at IS NOT NULL),
              (SELECT max(se.at) FROM second_factor_events se WHERE se.customer_id = k.customer_id AND se.event = 'locked' AND se.at > $5)
            ) AS last_lock_at
       FROM unnest($1::int[], $2::uuid[], $3::text[], $4::text[]) AS k (i, customer_id, pin_key, login_key)
       CROSS JOIN LATERAL (
         SELECT count(*)::int AS failures_24h, max(a.at) AS last_failure_at FROM credential_attempts a
          WHERE a.outcome = 'failure' AND a.at > $6 AND a.at <= $7
            AND ((a.credential = 'legacy_pin' AND a.account_key = k.pin_key) OR (a.credential = 'password' AND a.account_key = k.login_key))
       ) f`,
    [
      unique.map((_, i) => i), unique.map((s) => s.customer_id), unique.map((s) => pinAccountKey(s.branch_code, s.account_number)),
      unique.map((s) => loginAccountKey(s.login_id)), new Date(now.getTime() - CREDENTIAL_LOCK_LOOKBACK_MS),
      new Date(now.getTime() - CREDENTIAL_FAILURE_LOOKBACK_MS), now,
    ],
  );
  for (const row of rows) {
    history.set(subjectKey(unique[row.i]!), { failures_24h: row.failures_24h, last_failure_at: row.last_failure_at, last_lock_at: row.last_lock_at });
  }
  return history;
}

/** The history for one subject from loadCredentialHistory's answer (none if absent). */
export function credentialHistoryOf(history: Map<string, CredentialHistory>, subject: CredentialSubject): CredentialHistory {
  return history.get(subjectKey(subject)) ?? { failures_24h: 0, last_failure_at: null, last_lock_at: null };
}
