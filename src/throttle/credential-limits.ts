import type { CredentialKind } from './credential-attempt.ts';

/**
 * Consecutive failures after which a cash-card PIN stops working for linking: three, as at Japanese ATMs.
 * The 2020 thieves had name and birth date already, so each try was a straight guess at the PIN.
 */
export const PIN_FAILURES_PER_ACCOUNT_MAX = 3;
/** Consecutive failures after which an internet-banking password locks: at most five (PSD2 RTS Art. 4(3)(b)). */
export const PASSWORD_FAILURES_PER_ACCOUNT_MAX = 5;
/**
 * Consecutive failed console logins after which a staff login locks: the customers' five, since the console holds
 * the kill switches, unlocks and fraud decisions. An admin unlocks it (or `furikae staff unlock`).
 */
export const STAFF_LOGIN_FAILURES_PER_ACCOUNT_MAX = 5;
/**
 * Per-account limits by credential. Second factors lock per factor in src/mfa (SECOND_FACTOR_FAILURES_MAX),
 * so here they count only towards the source limits. An operator's secret never locks: its client id is public
 * (it is in every authorization URL), so a lock would let anyone stop an operator; its secret is 256 random bits,
 * so counting guesses protects nothing, and failures raise an alert instead (OPERATOR_SECRET_FAILURES_ALERT_MIN).
 */
export const ACCOUNT_FAILURES_MAX: Record<CredentialKind, number | null> = {
  legacy_pin: PIN_FAILURES_PER_ACCOUNT_MAX,
  password: PASSWORD_FAILURES_PER_ACCOUNT_MAX,
  second_factor: null,
  staff_login: STAFF_LOGIN_FAILURES_PER_ACCOUNT_MAX,
  operator_secret: null,
};

/** The sliding window for the per-source and per-operator failure counts. */
export const FAILURE_WINDOW_MS = 60 * 60 * 1000;
/**
 * Failures from one IP address per window: the end user's address when the operator relays it (PSU-IP-Address,
 * counted within that operator), else the connecting address. Typos from one person stay far below, and so do the
 * customers of one wallet behind a carrier NAT. An operator that relays no address is counted by its server's, so
 * its users pause together: the reason to relay it.
 */
export const SOURCE_IP_FAILURES_PER_WINDOW_MAX = 30;
/** Failures from one device id per window, within its operator: one phone fumbling its PIN does not fail ten times an hour. */
export const DEVICE_FAILURES_PER_WINDOW_MAX = 10;
/**
 * One operator's share of failures per window: far above its users' typos, far below an attack on the scale of
 * 2020 (Docomo account: hundreds of accounts tried). Each operator has its own, so one operator's attack never
 * starves another's users. Beyond it staff get an alert; attempts that name no end user are refused, and an end
 * user's address or device may fail at most `END_USER_FAILURES_OVER_SHARE_MAX` times, so the sprayers stop while the
 * operator's honest users (a few tries each) still link.
 */
export const OPERATOR_FAILURES_PER_WINDOW_MAX = 100;
/**
 * Failures one end user's address or device may have while its operator is over its share: the three tries a PIN
 * allows before it locks. An honest user needs no more; a sprayer must find a fresh address every three guesses.
 */
export const END_USER_FAILURES_OVER_SHARE_MAX = 3;
/**
 * Failures through one operator per window past which all its attempts are refused, relayed address or not: ten times
 * its share. Fresh addresses are cheap to claim for whoever controls the operator's server (a leaked client secret, an
 * insider), so the share alone does not bound them; at this rate the operator is an incident, not a busy hour.
 */
export const OPERATOR_FAILURES_PER_WINDOW_HARD_MAX = 1_000;

/**
 * Failures of one operator's secret per window that raise a staff alert. A working integration fails never; a
 * deploy with a stale secret fails a few times before someone notices; ten in an hour is a leak being tried, a
 * rotated secret still in use somewhere, or someone probing the client id, and the bank should call the operator.
 */
export const OPERATOR_SECRET_FAILURES_ALERT_MIN = 10;
/**
 * Failures on one account per window that raise a staff alert, by credential. A staff login alerts when it locks:
 * someone is guessing at the console. Customers' credentials alert through reverse brute force, the operator failure
 * rate and, for legacy PINs, locks grouped per operator and source (src/throttle/credential-throttle.ts), since one
 * customer mistyping is not an incident.
 */
export const ACCOUNT_FAILURES_ALERT_MIN: Record<CredentialKind, number | null> = {
  legacy_pin: null,
  password: null,
  second_factor: null,
  staff_login: STAFF_LOGIN_FAILURES_PER_ACCOUNT_MAX,
  operator_secret: OPERATOR_SECRET_FAILURES_ALERT_MIN,
};

/**
 * Distinct accounts one secret may fail on before it is reverse brute force: one PIN such as 1234 tried
 * against many accounts, as suspected in 2020. A person mistypes their own account, not five others.
 */
export const REVERSE_BRUTE_FORCE_ACCOUNTS_MIN = 5;
/** How far back the reverse brute force detector looks: slow sprays of a day are still one spray. */
export const REVERSE_BRUTE_FORCE_WINDOW_MS = 24 * 60 * 60 * 1000;
/**
 * Accounts one sprayed secret must have failed on through an operator for the containment to suspend that operator's
 * new links: one is an honest customer's typo of a common PIN; two different accounts with the same wrong PIN through
 * one wallet are the spray.
 */
export const CONTAINMENT_OPERATOR_ACCOUNTS_MIN = 2;
/** How long a detected source and secret stay blocked unless staff lift the block earlier. */
export const SOURCE_BLOCK_MS = 24 * 60 * 60 * 1000;
/** Sources named on one alert: enough to act on, bounded so an alert row cannot grow without limit. */
export const ALERT_SOURCES_LISTED_MAX = 20;
/** Rows on each list of the staff console. */
export const STAFF_ROWS_LISTED_MAX = 200;
