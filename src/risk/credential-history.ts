const DAY_MS = 24 * 60 * 60 * 1000;
/** How far back a failed attempt counts: a day covers a thief who guesses at night and charges in the morning. */
export const CREDENTIAL_FAILURE_LOOKBACK_MS = DAY_MS;
/** How far back a lock counts once it has been lifted: a week, long enough for a quiet retry. */
export const CREDENTIAL_LOCK_LOOKBACK_MS = 7 * DAY_MS;
/**
 * How far back an attack on the credentials counts (a lock, or a secret a reverse-brute-force alert names): 90 days.
 * A PIN guessed once stays guessed, and a patient thief waits out a day: Japan Post Bank's thieves came back to the
 * same linked accounts weeks apart for years (seeds/004). Three months cover three monthly caps of such a thief,
 * after which the holder has had three months of passbook lines and notices to see it.
 */
export const CREDENTIAL_ATTACK_LOOKBACK_MS = 90 * DAY_MS;

/**
 * The credential keys of an account row `a` and its customer `c`, as src/throttle writes them: pinAccountKey()
 * is `branch-account number` and loginAccountKey() is `login:<login id>` (src/throttle/credential-attempt.ts).
 */
const PIN_KEY = `a.branch_code || '-' || a.account_number`;
const LOGIN_KEY = `'login:' || c.login_id`;
const OWN_KEYS = (table: string) =>
  `((${table}.credential = 'legacy_pin' AND ${table}.account_key = ${PIN_KEY}) OR (${table}.credential = 'password' AND ${table}.account_key = ${LOGIN_KEY}))`;

/** The latest lock of the customer's credentials or second factors: in place, or locked after `since`. */
function lastLockAt(since: string): string {
  return `greatest(
            (SELECT greatest(max(s.locked_at), max(e.at)) FROM credential_account_states s
               LEFT JOIN credential_lock_events e ON e.state_id = s.id AND e.event = 'locked' AND e.at > ${since}
              WHERE ${OWN_KEYS('s')}),
            (SELECT greatest(max(sf.locked_at), max(se.at)) FROM second_factors sf
               LEFT JOIN second_factor_events se ON se.customer_id = sf.customer_id AND se.factor = sf.factor AND se.event = 'locked' AND se.at > ${since}
              WHERE sf.customer_id = c.id)
          )`;
}

/**
 * SQL columns `credential_failures_24h`, `credential_last_failure_at`, `credential_last_lock_at` and
 * `credential_last_attack_at` for a query over bank_accounts `a` joined to customers `c`, read from the throttle's
 * and second factors' tables: failed PIN and password attempts in the last day, the latest lock still in place or
 * lifted within the week, and the latest sign of an attack within 90 days (a lock, or an attempt with a secret that a
 * reverse-brute-force alert names, resolved or not: a guessed PIN stays guessed). Placeholders: `failures_since`,
 * `locks_since`, `attacks_since` and `now` name the query's parameters (e.g. `$4`).
 */
export function credentialHistoryColumns({ failures_since, locks_since, attacks_since, now }: { failures_since: string; locks_since: string; attacks_since: string; now: string }): string {
  // Failures: the count and the latest, two probes of the same index range. Locks: one in place or one lifted
  // lately, one query per credential table. Attacks: the same locks further back, and the account's own attempts
  // (by the account index) whose secret fingerprint an alert names.
  return `(SELECT count(*)::int FROM credential_attempts ca
            WHERE ca.outcome = 'failure' AND ca.at > ${failures_since} AND ca.at <= ${now} AND ${OWN_KEYS('ca')}) AS credential_failures_24h,
          (SELECT max(ca.at) FROM credential_attempts ca
            WHERE ca.outcome = 'failure' AND ca.at > ${failures_since} AND ca.at <= ${now} AND ${OWN_KEYS('ca')}) AS credential_last_failure_at,
          ${lastLockAt(locks_since)} AS credential_last_lock_at,
          greatest(${lastLockAt(attacks_since)},
            (SELECT max(ca.at) FROM credential_attempts ca
              WHERE ca.at > ${attacks_since} AND ca.at <= ${now} AND ${OWN_KEYS('ca')}
                AND EXISTS (SELECT 1 FROM credential_alerts al
                             WHERE al.kind = 'reverse_brute_force' AND al.credential = ca.credential AND al.subject = ca.secret_fingerprint))
          ) AS credential_last_attack_at`;
}

/** The four values credentialHistoryColumns adds to a row. */
export interface CredentialHistoryRow {
  credential_failures_24h: number;
  credential_last_failure_at: Date | null;
  credential_last_lock_at: Date | null;
  credential_last_attack_at: Date | null;
}
