const DAY_MS = 24 * 60 * 60 * 1000;
/** How far back a failed attempt counts: a day covers a thief who guesses at night and charges in the morning. */
export const CREDENTIAL_FAILURE_LOOKBACK_MS = DAY_MS;
/** How far back a lock counts once it has been lifted: a week, long enough for a quiet retry. */
export const CREDENTIAL_LOCK_LOOKBACK_MS = 7 * DAY_MS;

/**
 * The credential keys of an account row `a` and its customer `c`, as src/throttle writes them: pinAccountKey()
 * is `branch-account number` and loginAccountKey() is `login:<login id>` (src/throttle/credential-attempt.ts).
 */
const PIN_KEY = `a.branch_code || '-' || a.account_number`;
const LOGIN_KEY = `'login:' || c.login_id`;
const OWN_KEYS = (table: string) =>
  `((${table}.credential = 'legacy_pin' AND ${table}.account_key = ${PIN_KEY}) OR (${table}.credential = 'password' AND ${table}.account_key = ${LOGIN_KEY}))`;

/**
 * SQL columns `credential_failures_24h`, `credential_last_failure_at` and `credential_last_lock_at` for a query over
 * bank_accounts `a` joined to customers `c`, read from the throttle's and second factors' tables: failed PIN and
 * password attempts in the last day, and the latest lock still in place or lifted within the week. Placeholders:
 * `failures_since`, `locks_since` and `now` name the query's parameters (e.g. `$4`).
 */
export function credentialHistoryColumns({ failures_since, locks_since, now }: { failures_since: string; locks_since: string; now: string }): string {
  // Failures: the count and the latest, two probes of the same index range. Locks: one in place or one lifted
  // lately, one query per credential table.
  return `(SELECT count(*)::int FROM credential_attempts ca
            WHERE ca.outcome = 'failure' AND ca.at > ${failures_since} AND ca.at <= ${now} AND ${OWN_KEYS('ca')}) AS credential_failures_24h,
          (SELECT max(ca.at) FROM credential_attempts ca
            WHERE ca.outcome = 'failure' AND ca.at > ${failures_since} AND ca.at <= ${now} AND ${OWN_KEYS('ca')}) AS credential_last_failure_at,
          greatest(
            (SELECT greatest(max(s.locked_at), max(e.at)) FROM credential_account_states s
               LEFT JOIN credential_lock_events e ON e.state_id = s.id AND e.event = 'locked' AND e.at > ${locks_since}
              WHERE ${OWN_KEYS('s')}),
            (SELECT greatest(max(sf.locked_at), max(se.at)) FROM second_factors sf
               LEFT JOIN second_factor_events se ON se.customer_id = sf.customer_id AND se.factor = sf.factor AND se.event = 'locked' AND se.at > ${locks_since}
              WHERE sf.customer_id = c.id)
          ) AS credential_last_lock_at`;
}

/** The three values credentialHistoryColumns adds to a row. */
export interface CredentialHistoryRow {
  credential_failures_24h: number;
  credential_last_failure_at: Date | null;
  credential_last_lock_at: Date | null;
}
