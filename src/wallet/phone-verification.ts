/**
 * Proving a phone number at sign-up: the wallet texts a 6-digit code through its own SMS gateway (not the
 * bank's) and the user types it back. In 2020 a wallet opened with a name and an e-mail; a verified phone
 * ties each hardened wallet to a number its owner holds, and it is the phone the KYC attestation carries.
 */
import { randomInt } from 'node:crypto';
import { normalizePhoneNumber } from '../kyc/phone-number.ts';
import { maskPhone, type SmsChannel } from '../notify/sms-channel.ts';
import { hashSecret, verifySecret } from '../shared/secret-hash.ts';
import { textField } from './form-fields.ts';
import type { WalletContext } from './wallet-context.ts';
import { walletFailure, type WalletOutcome } from './wallet-outcome.ts';
import type { WalletUser } from './wallet-users.ts';

/** How long a code works: room for a slow carrier and slow typing, short enough that a code seen over a shoulder goes stale. */
export const PHONE_CODE_TTL_MS = 10 * 60 * 1000;
/** Wrong tries per code before it is spent: 5 guesses at a 6-digit code succeed one time in 200,000. */
export const PHONE_CODE_ATTEMPTS_MAX = 5;
/** Codes sent for one user per hour: each SMS costs money, and unlimited sends let anyone flood a stranger's phone. */
export const PHONE_CODES_PER_USER_PER_HOUR_MAX = 5;
/** The purpose the simulator records with each code, so tests and the demo can find it. */
export const PHONE_CODE_PURPOSE = 'wallet_phone_verification';

const HOUR_MS = 60 * 60 * 1000;
/** Japanese mobile numbers in E.164 (070/080/090 → +8170/+8180/+8190, 10 national digits): SMS reaches only mobiles. */
const JAPAN_MOBILE_E164 = /^\+81[789]0\d{8}$/;
const UNIQUE_VIOLATION = '23505';

/** A Japanese mobile number in E.164, or null. */
export function parseMobilePhone(value: unknown): string | null {
  const text = textField(value);
  if (text === null) return null;
  const phone = normalizePhoneNumber(text);
  return phone !== null && JAPAN_MOBILE_E164.test(phone) ? phone : null;
}

function codeText(code: string): string {
  return `【フリカエ・ウォレット】確認コード ${code}（10分間有効）。他人に教えないでください。 ` +
    `Your wallet code is ${code} (valid 10 minutes). Never share it.`;
}

/** Texts a fresh code to the user's phone; earlier codes stop working. At most PHONE_CODES_PER_USER_PER_HOUR_MAX an hour. */
export async function sendPhoneCode(context: WalletContext, sms: SmsChannel, user: WalletUser): Promise<WalletOutcome<{ phone_masked: string }>> {
  const { db, clock, ids, log } = context;
  const now = clock.now();
  const [row] = await db.query<{ phone: string | null; phone_verified_at: Date | null; sent_last_hour: number }>(
    `SELECT u.phone, u.phone_verified_at,
            (SELECT count(*)::int FROM wallet_phone_codes c WHERE c.user_id = u.id AND c.created_at > $2) AS sent_last_hour
       FROM wallet_users u WHERE u.id = $1`,
    [user.id, new Date(now.getTime() - HOUR_MS)],
  );
  if (!row?.phone) return walletFailure('validation_failed', '携帯電話番号を登録してください / Add a mobile phone number first', { field: 'phone' });
  if (row.phone_verified_at) return { ok: true, value: { phone_masked: maskPhone(row.phone) } };
  if (row.sent_last_hour >= PHONE_CODES_PER_USER_PER_HOUR_MAX) {
    return walletFailure('wallet_phone_codes_too_many', '確認コードの送信回数が上限に達しました。1時間後にお試しください / Too many codes this hour; try again later');
  }
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await db.transaction(async (tx) => {
    // A new code retires the old ones, so only one code is ever live for a user.
    await tx.query(`UPDATE wallet_phone_codes SET spent_at = $2 WHERE user_id = $1 AND spent_at IS NULL`, [user.id, now]);
    await tx.query(
      `INSERT INTO wallet_phone_codes (id, user_id, phone, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [ids.next(), user.id, row.phone, await hashSecret(code), now, new Date(now.getTime() + PHONE_CODE_TTL_MS)],
    );
  });
  await sms.send({ to_phone: row.phone, text: codeText(code), purpose: PHONE_CODE_PURPOSE });
  log.info({ wallet_user_id: user.id, to_phone: maskPhone(row.phone) }, 'phone code sent');
  return { ok: true, value: { phone_masked: maskPhone(row.phone) } };
}

const WRONG_CODE = '確認コードが違うか、有効期限が切れています / The code is wrong or has expired';

/** Checks the code the user typed; on success the phone is verified. Every try counts, right or wrong. */
export async function verifyPhoneCode(context: WalletContext, user: WalletUser, code_text: unknown): Promise<WalletOutcome<{ phone: string }>> {
  const { db, clock, log } = context;
  const code = (textField(code_text) ?? '').normalize('NFKC').trim();
  if (!/^[0-9]{6}$/.test(code)) return walletFailure('wallet_phone_code_invalid', WRONG_CODE, { field: 'code' });
  const now = clock.now();
  // Counting the try before comparing means parallel guesses cannot share one count.
  const [live] = await db.query<{ id: string; phone: string; code_hash: string; attempts: number }>(
    `UPDATE wallet_phone_codes SET attempts = attempts + 1
      WHERE id = (SELECT id FROM wallet_phone_codes WHERE user_id = $1 AND spent_at IS NULL AND expires_at > $2
                   ORDER BY created_at DESC LIMIT 1)
        AND attempts < $3
      RETURNING id, phone, code_hash, attempts`,
    [user.id, now, PHONE_CODE_ATTEMPTS_MAX],
  );
  if (!live) return walletFailure('wallet_phone_code_invalid', WRONG_CODE, { field: 'code' });
  if (!(await verifySecret(code, live.code_hash))) {
    if (live.attempts >= PHONE_CODE_ATTEMPTS_MAX) {
      await db.query(`UPDATE wallet_phone_codes SET spent_at = $2 WHERE id = $1 AND spent_at IS NULL`, [live.id, now]);
    }
    log.info({ wallet_user_id: user.id, attempts: live.attempts }, 'wrong phone code');
    return walletFailure('wallet_phone_code_invalid', WRONG_CODE, { field: 'code' });
  }
  try {
    const verified = await db.transaction(async (tx) => {
      const [spent] = await tx.query(`UPDATE wallet_phone_codes SET spent_at = $2 WHERE id = $1 AND spent_at IS NULL RETURNING id`, [live.id, now]);
      if (!spent) return false;
      await tx.query(`UPDATE wallet_users SET phone = $2, phone_verified_at = $3 WHERE id = $1`, [user.id, live.phone, now]);
      return true;
    });
    if (!verified) return walletFailure('wallet_phone_code_invalid', WRONG_CODE, { field: 'code' });
  } catch (error) {
    const { code: sql_code, constraint } = (error ?? {}) as { code?: string; constraint?: string };
    if (sql_code === UNIQUE_VIOLATION && constraint === 'wallet_users_phone_verified') {
      return walletFailure('wallet_phone_taken', 'この電話番号は別のウォレットで確認済みです / This phone number already belongs to another wallet');
    }
    throw error;
  }
  log.info({ wallet_user_id: user.id, phone: maskPhone(live.phone) }, 'phone verified');
  return { ok: true, value: { phone: live.phone } };
}
