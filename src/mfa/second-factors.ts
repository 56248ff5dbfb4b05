import { randomInt } from 'node:crypto';
import type { NewAlert } from '../cases/alert.ts';
import type { Database, Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import { assert } from '../shared/assert.ts';
import { hashSecret, verifySecret } from '../shared/secret-hash.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import { maskPhone, type SmsChannel } from '../notify/sms-channel.ts';
import type { NotifyCustomer } from './notify-customer.ts';
import { matchTotpCode, newTotpSecret, totpUri } from './totp-code.ts';
import type { CodeFactorKind, FactorView, LockedFactor, SecondFactorProof, SecondFactorResult } from './second-factor.ts';
import { PASSKEY_NAME_CHARS_MAX, type Passkeys } from './passkeys.ts';
import type { PasskeyRefusalCode } from './passkey.ts';

/**
 * Consecutive failures after which a factor locks: PSD2 RTS (Delegated Regulation 2018/389) Art. 4(3)(b)
 * allows at most five. Only staff unlock it, after checking with the customer (Art. 4(4)).
 */
export const SECOND_FACTOR_FAILURES_MAX = 5;
/** How long an SMS code works: room for a slow carrier and slow typing, short enough that a code read over a shoulder goes stale. */
export const SMS_CODE_TTL_MS = 5 * 60 * 1000;
/** Codes sent to one customer per hour: each SMS costs money, and unlimited sends let anyone flood a victim's phone. */
export const SMS_CODES_PER_CUSTOMER_PER_HOUR_MAX = 5;
/**
 * Least time between two codes for one purpose to one customer's phone: a real SMS can take half a minute to arrive,
 * and a customer who presses "send" again meanwhile retires the code already on its way (a newer code for a purpose
 * retires the older). The next step's code (the consent after the sign-in) goes at once; the hourly cap bounds them all.
 */
export const SMS_RESEND_INTERVAL_MS = 60 * 1000;
/** Live codes compared per attempt: each comparison is a ~50 ms scrypt, and a new code for a purpose retires the old one. */
export const SMS_CODES_COMPARED_MAX = 3;
/** How long a TOTP secret shown for enrolment may be confirmed; after that the customer starts again. */
export const TOTP_ENROLMENT_TTL_MS = 10 * 60 * 1000;
/** Wrong confirmation codes before a pending TOTP secret is thrown away, so it cannot be guessed at leisure. */
export const TOTP_ENROLMENT_CONFIRMATIONS_MAX = 5;
/** Locked factors listed on the staff console. */
export const LOCKED_FACTORS_LISTED_MAX = 200;

const HOUR_MS = 60 * 60 * 1000;
const PURPOSE = /^[a-z_]{1,40}$/;
/**
 * What a code approves, in the customer's words. It is named where the code arrives (PSD2 RTS Art. 5, dynamic
 * linking), so that a victim asked to read out a code for a payment or a link she never started sees what it is for.
 */
export interface CodeApproves {
  ja: string;
  en: string;
}

const PURPOSE_WORDS: Record<string, CodeApproves> = {
  login: { ja: 'ログイン', en: 'signing in' },
  consent: { ja: '口座連携の承認', en: 'approving a link to your account' },
  enrol_totp: { ja: '認証アプリの登録', en: 'registering an authenticator app' },
  enrol_passkey: { ja: 'パスキーの登録', en: 'registering a passkey' },
  remove_passkey: { ja: 'パスキーの削除', en: 'removing a passkey' },
};
/** Never the internal purpose: a bound purpose is a digest that would mean nothing to the customer. */
const PURPOSE_UNNAMED: CodeApproves = { ja: '本人確認', en: 'confirming it is you' };

interface FactorRow {
  status: 'pending' | 'active';
  totp_secret: string | null;
  totp_time_step_last: number | null;
  failures_consecutive: number;
  locked_at: Date | null;
  created_at: Date;
  enrolled_at: Date | null;
}

export interface SecondFactorsDeps {
  db: Database;
  clock: Clock;
  ids: Ids;
  sms: SmsChannel;
  log: Logger;
  /** How a customer hears of a lock or a new factor: SMS today, e-mail through the outbox later. */
  notifyCustomer: NotifyCustomer;
  /** Where a lock's alert goes (src/cases raiseAlert), in the lock's transaction; none when no case store is wired. */
  raiseAlerts?: (tx: Queryable, alerts: readonly NewAlert[]) => Promise<unknown>;
  /** The customers' passkeys (WebAuthn): a factor of its own, verified there. */
  passkeys: Passkeys;
}

function smsText(code: string, purpose: string, approves: CodeApproves | undefined): string {
  const what = approves ?? PURPOSE_WORDS[purpose] ?? PURPOSE_UNNAMED;
  return `【ふりかえ銀行】認証コード ${code}: ${what.ja} (5分間有効)。心当たりがなければ入力しないでください。` +
    `このコードを他のサイトや電話で伝えないでください。当行がお尋ねすることはありません。 ` +
    `Code ${code}: ${what.en} (5 minutes). If this is not you, do not use it. Never enter it on another site or read it out on the phone: the bank never asks for it.`;
}

/** Customers' second factors: TOTP and SMS codes, with lockout after five failures and explicit unlock. */
export function createSecondFactors({ db, clock, ids, sms, log, notifyCustomer, raiseAlerts, passkeys }: SecondFactorsDeps) {
  const lockFor = (tx: Queryable, customer_id: string, factor: CodeFactorKind) =>
    tx.query<FactorRow>(
      `SELECT status, totp_secret, totp_time_step_last, failures_consecutive, locked_at, created_at, enrolled_at
         FROM second_factors WHERE customer_id = $1 AND factor = $2 FOR UPDATE`,
      [customer_id, factor],
    );

  /** The SMS factor exists for every customer with a phone on file; its row appears on first use. */
  const ensureSmsFactor = (tx: Queryable, customer_id: string) =>
    tx.query(
      `INSERT INTO second_factors (customer_id, factor, status, created_at, enrolled_at)
       SELECT id, 'sms', 'active', $2, created_at FROM customers WHERE id = $1
       ON CONFLICT (customer_id, factor) DO NOTHING`,
      [customer_id, clock.now()],
    );

  const recordEvent = (tx: Queryable, customer_id: string, factor: CodeFactorKind | 'passkey', event: 'enrolled' | 'locked' | 'unlocked' | 'removed', actor: string) =>
    tx.query(
      `INSERT INTO second_factor_events (id, customer_id, factor, event, actor, at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [ids.next(), customer_id, factor, event, actor, clock.now()],
    );

  /** Notifications go out after the commit and never undo it: a lock must hold even if the SMS gateway is down. */
  const notifyAfterCommit = async (customer_id: string, notice: Parameters<NotifyCustomer>[1]) => {
    try {
      await notifyCustomer(customer_id, notice);
    } catch (error) {
      log.error({ err: error, customer_id, notice: notice.kind }, 'customer notification failed');
    }
  };

  /** When the customer's phone may get the next code for `purpose`: a minute after the last one for it, and within the hourly cap. */
  const nextSmsAt = async (tx: Queryable, customer_id: string, purpose: string, now: Date): Promise<Date> => {
    // The cap keeps at most SMS_CODES_PER_CUSTOMER_PER_HOUR_MAX codes in the hour, so the last one for this purpose
    // within the interval is always among them.
    const recent = await tx.query<{ created_at: Date; purpose: string }>(
      `SELECT created_at, purpose FROM sms_codes WHERE customer_id = $1 AND created_at > $2 ORDER BY created_at DESC LIMIT $3`,
      [customer_id, new Date(now.getTime() - HOUR_MS), SMS_CODES_PER_CUSTOMER_PER_HOUR_MAX],
    );
    const times = [now.getTime()];
    const last_for_purpose = recent.find((row) => row.purpose === purpose);
    if (last_for_purpose) times.push(last_for_purpose.created_at.getTime() + SMS_RESEND_INTERVAL_MS);
    // The code that leaves the hour's window first frees the next send.
    const leaving = recent[SMS_CODES_PER_CUSTOMER_PER_HOUR_MAX - 1];
    if (leaving) times.push(leaving.created_at.getTime() + HOUR_MS);
    return new Date(Math.max(...times));
  };

  const pendingExpired = (row: FactorRow) => row.created_at.getTime() + TOTP_ENROLMENT_TTL_MS <= clock.now().getTime();

  /** Does the code match, and how would a success change the row? (Reads SMS codes; writes nothing.) */
  const matchProof = async (tx: Queryable, customer_id: string, row: FactorRow, proof: Exclude<SecondFactorProof, { factor: 'passkey' }>) => {
    if (proof.factor === 'totp') {
      assert(row.totp_secret !== null, 'an active TOTP factor has a secret');
      const time_step = await matchTotpCode(row.totp_secret, proof.code, clock.now(), row.totp_time_step_last);
      return time_step === undefined ? undefined : { time_step, sms_code_id: null };
    }
    if (!/^[0-9]{6}$/.test(proof.code)) return undefined;
    const live = await tx.query<{ id: string; code_hash: string }>(
      `SELECT id, code_hash FROM sms_codes
        WHERE customer_id = $1 AND spent_at IS NULL AND expires_at > $2 AND ($3::text IS NULL OR purpose = $3)
        ORDER BY created_at DESC LIMIT $4`,
      [customer_id, clock.now(), proof.purpose ?? null, SMS_CODES_COMPARED_MAX],
    );
    for (const candidate of live) {
      if (await verifySecret(proof.code, candidate.code_hash)) return { time_step: null, sms_code_id: candidate.id };
    }
    return undefined;
  };

  /**
   * Checks a second factor. Success resets the failure count; the fifth consecutive failure locks the factor
   * and notifies the customer; a locked factor refuses even the right code until staff unlock it. A passkey answer
   * is verified by `passkeys` and counts no failures: it cannot be guessed, and a refusal spends its challenge.
   */
  const verify = async (customer_id: string, proof: SecondFactorProof): Promise<SecondFactorResult> => {
    if (!isUuid(customer_id)) return { ok: false, code: 'second_factor_failed' };
    if (proof.factor === 'passkey') {
      const asserted = await passkeys.verifyAssertion(customer_id, proof);
      return asserted.ok ? { ok: true, factor: 'passkey' } : asserted;
    }
    const outcome = await db.transaction(async (tx) => {
      if (proof.factor === 'sms') await ensureSmsFactor(tx, customer_id);
      const [row] = await lockFor(tx, customer_id, proof.factor);
      // No such factor (e.g. no authenticator enrolled): the same answer as a wrong code, and nothing to count.
      if (!row || row.status !== 'active') return 'failed' as const;
      if (row.locked_at) return 'locked' as const;
      const match = await matchProof(tx, customer_id, row, proof);
      if (match) {
        await tx.query(
          `UPDATE second_factors SET failures_consecutive = 0, totp_time_step_last = coalesce($3, totp_time_step_last)
            WHERE customer_id = $1 AND factor = $2`,
          [customer_id, proof.factor, match.time_step],
        );
        if (match.sms_code_id) await tx.query(`UPDATE sms_codes SET spent_at = $2 WHERE id = $1`, [match.sms_code_id, clock.now()]);
        return 'ok' as const;
      }
      const failures = row.failures_consecutive + 1;
      const locking = failures >= SECOND_FACTOR_FAILURES_MAX;
      await tx.query(
        `UPDATE second_factors SET failures_consecutive = $3, locked_at = CASE WHEN $4::boolean THEN $5::timestamptz ELSE locked_at END
          WHERE customer_id = $1 AND factor = $2`,
        [customer_id, proof.factor, failures, locking, clock.now()],
      );
      if (!locking) return 'failed' as const;
      await recordEvent(tx, customer_id, proof.factor, 'locked', 'system');
      // Wrong codes in a row are what a thief with a password but not the phone produces: staff see it as it happens.
      await raiseAlerts?.(tx, [{
        kind: 'second_factor_locked', severity: 'medium', customer_id, reason_codes: [`${proof.factor}_locked`],
        summary: `${proof.factor === 'sms' ? 'SMS code' : 'Authenticator'} locked after ${SECOND_FACTOR_FAILURES_MAX} wrong codes`,
        details: { factor: proof.factor, see: '/staff/security' },
      }]);
      return 'locked_now' as const;
    });
    switch (outcome) {
      case 'ok':
        return { ok: true, factor: proof.factor };
      case 'failed':
        return { ok: false, code: 'second_factor_failed' };
      case 'locked':
        return { ok: false, code: 'second_factor_locked' };
      case 'locked_now':
        log.warn({ customer_id, factor: proof.factor, failures_max: SECOND_FACTOR_FAILURES_MAX }, 'second factor locked');
        await notifyAfterCommit(customer_id, { kind: 'second_factor_locked', factor: proof.factor });
        return { ok: false, code: 'second_factor_locked' };
    }
  };

  return {
    /** Starts TOTP enrolment: a new secret and its otpauth URI, pending until confirmed with a code. */
    async startTotpEnrolment(customer_id: string): Promise<
      { ok: true; secret: string; otpauth_uri: string; expires_at: Date } | { ok: false; code: 'totp_already_enrolled' }
    > {
      const [customer] = await db.query<{ login_id: string }>(`SELECT login_id FROM customers WHERE id = $1`, [customer_id]);
      assert(customer, `customer ${customer_id} exists`);
      const secret = newTotpSecret();
      const now = clock.now();
      // Only a pending enrolment may be replaced: an active authenticator is never swapped from here.
      const [row] = await db.query(
        `INSERT INTO second_factors (customer_id, factor, status, totp_secret, created_at) VALUES ($1, 'totp', 'pending', $2, $3)
         ON CONFLICT (customer_id, factor) DO UPDATE SET totp_secret = EXCLUDED.totp_secret, created_at = EXCLUDED.created_at,
                failures_consecutive = 0, totp_time_step_last = NULL
          WHERE second_factors.status = 'pending'
         RETURNING 1`,
        [customer_id, secret, now],
      );
      if (!row) return { ok: false, code: 'totp_already_enrolled' };
      log.info({ customer_id }, 'totp enrolment started');
      return { ok: true, secret, otpauth_uri: totpUri(secret, customer.login_id), expires_at: new Date(now.getTime() + TOTP_ENROLMENT_TTL_MS) };
    },

    /** The TOTP enrolment waiting for its code, to show the secret again; undefined if none or expired. */
    async pendingTotpEnrolment(customer_id: string): Promise<{ secret: string; otpauth_uri: string; expires_at: Date } | undefined> {
      const [row] = await db.query<FactorRow & { login_id: string }>(
        `SELECT f.totp_secret, f.created_at, c.login_id FROM second_factors f JOIN customers c ON c.id = f.customer_id
          WHERE f.customer_id = $1 AND f.factor = 'totp' AND f.status = 'pending'`,
        [customer_id],
      );
      if (!row || row.totp_secret === null || pendingExpired(row)) return undefined;
      return { secret: row.totp_secret, otpauth_uri: totpUri(row.totp_secret, row.login_id), expires_at: new Date(row.created_at.getTime() + TOTP_ENROLMENT_TTL_MS) };
    },

    /**
     * Confirms TOTP enrolment with a code from the app. With `existing`, a factor the customer already holds must
     * verify too (checked only once the app's code is right, so a typo in one never costs the other a failure).
     * The factor is active from then on, and the customer is told on another channel.
     */
    async confirmTotpEnrolment(customer_id: string, code: string, existing?: Exclude<SecondFactorProof, { factor: 'passkey' }>): Promise<
      { ok: true } | { ok: false; code: 'second_factor_failed' | 'second_factor_locked' | 'totp_enrolment_not_started' }
    > {
      if (!isUuid(customer_id)) return { ok: false, code: 'totp_enrolment_not_started' };
      const checked = await db.transaction(async (tx) => {
        const [row] = await lockFor(tx, customer_id, 'totp');
        if (!row || row.status !== 'pending') return { outcome: 'not_started' } as const;
        if (pendingExpired(row)) {
          await tx.query(`DELETE FROM second_factors WHERE customer_id = $1 AND factor = 'totp' AND status = 'pending'`, [customer_id]);
          return { outcome: 'not_started' } as const;
        }
        assert(row.totp_secret !== null, 'a pending TOTP factor has a secret');
        const time_step = await matchTotpCode(row.totp_secret, code, clock.now(), null);
        if (time_step !== undefined) return { outcome: 'matched', time_step, secret: row.totp_secret } as const;
        if (row.failures_consecutive + 1 >= TOTP_ENROLMENT_CONFIRMATIONS_MAX) {
          await tx.query(`DELETE FROM second_factors WHERE customer_id = $1 AND factor = 'totp' AND status = 'pending'`, [customer_id]);
        } else {
          await tx.query(`UPDATE second_factors SET failures_consecutive = failures_consecutive + 1 WHERE customer_id = $1 AND factor = 'totp'`, [customer_id]);
        }
        return { outcome: 'failed' } as const;
      });
      if (checked.outcome === 'not_started') return { ok: false, code: 'totp_enrolment_not_started' };
      if (checked.outcome === 'failed') return { ok: false, code: 'second_factor_failed' };
      if (existing) {
        assert(existing.factor !== 'totp', 'the existing factor that vouches for a new authenticator is not the authenticator itself');
        const vouched = await verify(customer_id, existing);
        if (!vouched.ok) {
          assert(vouched.code === 'second_factor_failed' || vouched.code === 'second_factor_locked', 'a typed code is refused as a code');
          return { ok: false, code: vouched.code };
        }
      }
      const enrolled = await db.transaction(async (tx) => {
        // Only the secret whose code was just checked becomes active, even if a new enrolment started meanwhile.
        const rows = await tx.query(
          `UPDATE second_factors SET status = 'active', enrolled_at = $3, failures_consecutive = 0, totp_time_step_last = $4
            WHERE customer_id = $1 AND factor = 'totp' AND status = 'pending' AND totp_secret = $2 RETURNING 1`,
          [customer_id, checked.secret, clock.now(), checked.time_step],
        );
        if (rows.length === 0) return false;
        await recordEvent(tx, customer_id, 'totp', 'enrolled', 'customer');
        return true;
      });
      if (!enrolled) return { ok: false, code: 'totp_enrolment_not_started' };
      log.info({ customer_id, factor: 'totp' }, 'second factor enrolled');
      // Telling the customer on another channel catches a thief who registers their own app with a stolen password.
      await notifyAfterCommit(customer_id, { kind: 'second_factor_enrolled', factor: 'totp' });
      return { ok: true };
    },

    /**
     * Sends a 6-digit code to the customer's registered phone, naming what it approves (`approves`, else the
     * purpose's own words); a newer code for the same purpose retires the older.
     * Refused until `resend_at` when the last code for this purpose went out less than SMS_RESEND_INTERVAL_MS ago or the hourly cap is reached.
     */
    async sendSmsCode(customer_id: string, purpose: string, approves?: CodeApproves): Promise<
      { ok: true; expires_at: Date; resend_at: Date } | { ok: false; code: 'second_factor_locked' } | { ok: false; code: 'too_many_attempts'; resend_at: Date }
    > {
      assert(PURPOSE.test(purpose), `an SMS code purpose is a short lower-case word, got ${purpose}`);
      const [customer] = await db.query<{ phone: string }>(`SELECT phone FROM customers WHERE id = $1`, [customer_id]);
      assert(customer, `customer ${customer_id} exists`);
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const code_hash = await hashSecret(code);
      const now = clock.now();
      const expires_at = new Date(now.getTime() + SMS_CODE_TTL_MS);
      const outcome = await db.transaction(async (tx) => {
        await ensureSmsFactor(tx, customer_id);
        // The row lock serialises sends for one customer, so the interval and the hourly count hold across processes.
        const [row] = await lockFor(tx, customer_id, 'sms');
        assert(row, 'the SMS factor row exists');
        if (row.locked_at) return { sent: false, locked: true } as const;
        const next_at = await nextSmsAt(tx, customer_id, purpose, now);
        if (next_at > now) return { sent: false, locked: false, resend_at: next_at } as const;
        await tx.query(`UPDATE sms_codes SET spent_at = $3 WHERE customer_id = $1 AND purpose = $2 AND spent_at IS NULL`, [customer_id, purpose, now]);
        await tx.query(
          `INSERT INTO sms_codes (id, customer_id, purpose, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
          [ids.next(), customer_id, purpose, code_hash, now, expires_at],
        );
        return { sent: true, resend_at: await nextSmsAt(tx, customer_id, purpose, now) } as const;
      });
      if (!outcome.sent) return outcome.locked ? { ok: false, code: 'second_factor_locked' } : { ok: false, code: 'too_many_attempts', resend_at: outcome.resend_at };
      await sms.send({ to_phone: customer.phone, text: smsText(code, purpose, approves), purpose });
      log.info({ customer_id, purpose, to_phone: maskPhone(customer.phone) }, 'sms code sent');
      return { ok: true, expires_at, resend_at: outcome.resend_at };
    },

    /**
     * The live code for a purpose, if one was sent and is neither used nor expired: when it went out, until when it
     * works, and when another may be sent. Pages read it to show "sent to ..." and the resend timer after a reload.
     */
    async smsCodeSent(customer_id: string, purpose: string): Promise<{ sent_at: Date; expires_at: Date; resend_at: Date; resend_in_ms: number } | undefined> {
      if (!isUuid(customer_id)) return undefined;
      const now = clock.now();
      const [live] = await db.query<{ created_at: Date; expires_at: Date }>(
        `SELECT created_at, expires_at FROM sms_codes WHERE customer_id = $1 AND purpose = $2 AND spent_at IS NULL AND expires_at > $3
          ORDER BY created_at DESC LIMIT 1`,
        [customer_id, purpose, now],
      );
      if (!live) return undefined;
      const resend_at = await nextSmsAt(db, customer_id, purpose, now);
      // The wait is measured here, on the clock that stamped the code, so a page never compares two clocks.
      return { sent_at: live.created_at, expires_at: live.expires_at, resend_at, resend_in_ms: resend_at.getTime() - now.getTime() };
    },

    verify,

    /** Unlocks a locked factor (staff only, after checking with the customer); recorded with who did it. False if it was not locked. */
    async unlock(customer_id: string, factor: CodeFactorKind, { by }: { by: string }): Promise<boolean> {
      assert(by.length > 0, 'an unlock names who did it');
      if (!isUuid(customer_id)) return false;
      const unlocked = await db.transaction(async (tx) => {
        const rows = await tx.query(
          `UPDATE second_factors SET locked_at = NULL, failures_consecutive = 0
            WHERE customer_id = $1 AND factor = $2 AND locked_at IS NOT NULL RETURNING 1`,
          [customer_id, factor],
        );
        if (rows.length === 0) return false;
        await recordEvent(tx, customer_id, factor, 'unlocked', `staff:${by}`);
        return true;
      });
      if (unlocked) log.info({ customer_id, factor, staff_id: by }, 'second factor unlocked');
      return unlocked;
    },

    /**
     * Registers a passkey: its registration answer must verify (origin, RP id, user verification, the challenge
     * issued to this session), then a factor the customer already holds must vouch for it, so a stolen password
     * alone cannot add a thief's passkey. The customer is told on another channel.
     */
    async enrolPasskey(customer_id: string, registration: { response: string; name: string; bound_to: string }, existing: SecondFactorProof): Promise<
      { ok: true; passkey_id: string } | { ok: false; code: 'second_factor_failed' | 'second_factor_locked' | PasskeyRefusalCode | 'passkeys_limit_reached' | 'passkey_already_registered' }
    > {
      const name = registration.name.trim();
      assert(name.length >= 1 && name.length <= PASSKEY_NAME_CHARS_MAX, 'a passkey name is checked at the boundary');
      const checked = await passkeys.checkRegistration(customer_id, registration.response, registration.bound_to);
      if (!checked.ok) return checked;
      const vouched = await verify(customer_id, existing);
      if (!vouched.ok) return vouched;
      const stored = await db.transaction(async (tx) => {
        const outcome = await passkeys.store(tx, customer_id, checked.registration, name);
        if (outcome.ok) await recordEvent(tx, customer_id, 'passkey', 'enrolled', 'customer');
        return outcome;
      });
      if (!stored.ok) return stored;
      log.info({ customer_id, factor: 'passkey', passkey_id: stored.id, vouched_by: vouched.factor }, 'second factor enrolled');
      await notifyAfterCommit(customer_id, { kind: 'second_factor_enrolled', factor: 'passkey' });
      return { ok: true, passkey_id: stored.id };
    },

    /**
     * Removes one of the customer's passkeys, vouched for by a factor the customer holds. Refused if it would leave
     * the customer with no usable factor. The customer is told on another channel.
     */
    async removePasskey(customer_id: string, passkey_id: string, existing: SecondFactorProof): Promise<
      { ok: true } | { ok: false; code: 'second_factor_failed' | 'second_factor_locked' | PasskeyRefusalCode | 'passkey_not_found' | 'passkey_last_factor' }
    > {
      const held = await passkeys.list(customer_id);
      if (!held.some((passkey) => passkey.id === passkey_id)) return { ok: false, code: 'passkey_not_found' };
      const vouched = await verify(customer_id, existing);
      if (!vouched.ok) return vouched;
      const removed = await db.transaction(async (tx) => {
        await tx.query(`SELECT 1 FROM customers WHERE id = $1 FOR UPDATE`, [customer_id]);
        const [usable] = await tx.query<{ count: string | number }>(
          `SELECT (SELECT count(*) FROM passkeys WHERE customer_id = $1 AND id <> $2)
                + (SELECT count(*) FROM second_factors WHERE customer_id = $1 AND factor = 'totp' AND status = 'active' AND locked_at IS NULL)
                + (SELECT CASE WHEN EXISTS (SELECT 1 FROM second_factors WHERE customer_id = $1 AND factor = 'sms' AND locked_at IS NOT NULL) THEN 0 ELSE 1 END) AS count`,
          [customer_id, passkey_id],
        );
        if (Number(usable!.count) === 0) return 'last' as const;
        if (!(await passkeys.remove(tx, customer_id, passkey_id))) return 'gone' as const;
        await recordEvent(tx, customer_id, 'passkey', 'removed', 'customer');
        return 'removed' as const;
      });
      if (removed === 'last') return { ok: false, code: 'passkey_last_factor' };
      if (removed === 'gone') return { ok: false, code: 'passkey_not_found' };
      log.info({ customer_id, factor: 'passkey', passkey_id, vouched_by: vouched.factor }, 'second factor removed');
      await notifyAfterCommit(customer_id, { kind: 'second_factor_removed', factor: 'passkey' });
      return { ok: true };
    },

    /** The customer's passkeys, for the security page. */
    listPasskeys: (customer_id: string) => passkeys.list(customer_id),

    /** Options (with a fresh challenge) for proving a passkey for `purpose` in this session; undefined without a passkey. */
    passkeyOptions: (customer_id: string, purpose: string, bound_to: string) => passkeys.authenticationOptions(customer_id, purpose, bound_to),

    /** The customer's factors, strongest first: passkeys once one is registered, TOTP once enrolment has started, and SMS (always, to the registered phone). */
    async listFactors(customer_id: string): Promise<FactorView[]> {
      if (!isUuid(customer_id)) return [];
      const [customer] = await db.query<{ phone: string; created_at: Date }>(`SELECT phone, created_at FROM customers WHERE id = $1`, [customer_id]);
      if (!customer) return [];
      const rows = await db.query<FactorRow & { factor: CodeFactorKind }>(
        `SELECT factor, status, totp_secret, totp_time_step_last, failures_consecutive, locked_at, created_at, enrolled_at
           FROM second_factors WHERE customer_id = $1`,
        [customer_id],
      );
      const view = (row: FactorRow & { factor: CodeFactorKind }): FactorView => ({
        factor: row.factor,
        status: row.locked_at ? 'locked' : row.status,
        failures_consecutive: row.failures_consecutive,
        enrolled_at: row.enrolled_at,
        locked_at: row.locked_at,
      });
      const sms = rows.find((row) => row.factor === 'sms');
      const totp = rows.find((row) => row.factor === 'totp' && !(row.status === 'pending' && pendingExpired(row)));
      const smsView: FactorView = sms
        ? view(sms)
        : { factor: 'sms', status: 'active', failures_consecutive: 0, enrolled_at: customer.created_at, locked_at: null };
      const held = await passkeys.list(customer_id);
      const passkeyView: FactorView[] = held.length === 0 ? [] : [{
        factor: 'passkey', status: 'active', failures_consecutive: 0, enrolled_at: held[0]!.created_at, locked_at: null, passkeys_count: held.length,
      }];
      return [...passkeyView, ...(totp ? [view(totp)] : []), { ...smsView, phone_masked: maskPhone(customer.phone) }];
    },

    /** Locked factors across all customers, newest lock first, for the staff console. */
    async listLocked(): Promise<LockedFactor[]> {
      return db.query<LockedFactor>(
        `SELECT f.customer_id, c.name_kanji, f.factor, f.failures_consecutive, f.locked_at
           FROM second_factors f JOIN customers c ON c.id = f.customer_id
          WHERE f.locked_at IS NOT NULL ORDER BY f.locked_at DESC LIMIT $1`,
        [LOCKED_FACTORS_LISTED_MAX],
      );
    },
  };
}

export type SecondFactors = ReturnType<typeof createSecondFactors>;
