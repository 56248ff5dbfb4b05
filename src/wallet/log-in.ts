import { parseEmail } from './form-fields.ts';
import { PASSWORD_CHARS_MAX } from './password-hash.ts';
import { DECOY_SECRET_HASH, verifySecret } from '../shared/secret-hash.ts';
import type { WalletContext } from './wallet-context.ts';
import { walletFailure, type WalletOutcome } from './wallet-outcome.ts';
import type { WalletUser } from './wallet-users.ts';

/** Checks an e-mail and password; the same answer, after the same work, whether the e-mail or the password is wrong. */
export async function logIn(context: WalletContext, input: { email: string; password: string }): Promise<WalletOutcome<WalletUser>> {
  const wrong = walletFailure('wallet_credentials_invalid', 'メールアドレスかパスワードが違います / The e-mail or password is wrong');
  const email = parseEmail(input.email);
  if (email === null || input.password.length > PASSWORD_CHARS_MAX) return wrong;
  const [row] = await context.db.query<WalletUser & { password_hash: string }>(
    `SELECT id, name, email, account_id, created_at, password_hash FROM wallet_users WHERE email = $1`,
    [email],
  );
  const matches = await verifySecret(input.password, row?.password_hash ?? DECOY_SECRET_HASH);
  if (!row || !matches) return wrong;
  const { password_hash: _hash, ...user } = row;
  return { ok: true, value: user };
}
