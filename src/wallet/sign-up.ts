/**
 * Opening a wallet: a name, an e-mail and a password, and nothing else. Deliberately no identity check:
 * this is the 2020 weakness, where a thief could open a wallet in anyone's name. Phone and eKYC come
 * in a later change, which is why sign-up lives alone in this file.
 */
import { walletAccountCodes } from './wallet-ledger-codes.ts';
import { parseEmail, parseName } from './form-fields.ts';
import { PASSWORD_CHARS_MAX, PASSWORD_CHARS_MIN } from './password-hash.ts';
import { hashSecret } from '../shared/secret-hash.ts';
import type { WalletContext } from './wallet-context.ts';
import { walletFailure, type WalletOutcome } from './wallet-outcome.ts';
import { findWalletUserByEmail, type WalletUser } from './wallet-users.ts';
import { assert } from '../shared/assert.ts';

export interface SignUpInput {
  name: string;
  email: string;
  password: string;
}

/** Opens a wallet user and their e-money account; a taken e-mail or bad field changes nothing. */
export async function signUp(context: WalletContext, input: SignUpInput): Promise<WalletOutcome<WalletUser>> {
  const name = parseName(input.name);
  if (name === null) return walletFailure('validation_failed', '名前を入力してください / Enter your name (up to 60 characters)', { field: 'name' });
  const email = parseEmail(input.email);
  if (email === null) return walletFailure('validation_failed', 'メールアドレスが正しくありません / Enter a valid e-mail address', { field: 'email' });
  const password = input.password;
  if (password.length < PASSWORD_CHARS_MIN || password.length > PASSWORD_CHARS_MAX) {
    return walletFailure(
      'validation_failed',
      `パスワードは${PASSWORD_CHARS_MIN}〜${PASSWORD_CHARS_MAX}文字 / The password must be ${PASSWORD_CHARS_MIN} to ${PASSWORD_CHARS_MAX} characters`,
      { field: 'password' },
    );
  }
  const taken = walletFailure('wallet_email_taken', 'このメールアドレスは登録済みです / A wallet with this e-mail already exists', { field: 'email' });
  if (await findWalletUserByEmail(context.db, email)) return taken;

  const { db, ledger, clock, ids } = context;
  const user_id = ids.next();
  const account_id = ids.next();
  const password_hash = await hashSecret(password);
  // The ledger account first: if two sign-ups race for one e-mail, the loser leaves an empty account
  // nobody owns, which is harmless; the other order could leave a user with no account.
  const [opened] = await ledger.createAccounts([
    { id: account_id, code: walletAccountCodes.user_emoney, flags: { debits_must_not_exceed_credits: true } },
  ]);
  assert(opened === 'ok', `a fresh e-money account could not be opened: ${opened}`);
  const [user] = await db.query<WalletUser>(
    `INSERT INTO wallet_users (id, name, email, password_hash, account_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (email) DO NOTHING
     RETURNING id, name, email, account_id, created_at`,
    [user_id, name, email, password_hash, account_id, clock.now()],
  );
  if (!user) return taken;
  context.log.info({ wallet_user_id: user.id }, 'wallet user signed up');
  return { ok: true, value: user };
}
