/**
 * Opening a hardened wallet: the 2020 sign-up (name, e-mail, password) plus a Japanese mobile number, to which
 * a code is sent at once. The wallet opens unverified; linking a bank account waits for the code and for eKYC.
 */
import type { SmsChannel } from '../notify/sms-channel.ts';
import { parseMobilePhone, sendPhoneCode } from './phone-verification.ts';
import { signUp, type SignUpInput } from './sign-up.ts';
import type { WalletContext } from './wallet-context.ts';
import { walletFailure, type WalletOutcome } from './wallet-outcome.ts';
import type { WalletUser } from './wallet-users.ts';

/** Opens a wallet with a phone to verify and texts the first code; a bad or taken phone changes nothing. */
export async function signUpWithPhone(
  context: WalletContext,
  sms: SmsChannel,
  input: SignUpInput & { phone: string },
): Promise<WalletOutcome<WalletUser>> {
  const phone = parseMobilePhone(input.phone);
  if (phone === null) {
    return walletFailure('validation_failed', '携帯電話番号（070/080/090）を入力してください / Enter a Japanese mobile number (070, 080 or 090)', { field: 'phone' });
  }
  const [taken] = await context.db.query(`SELECT 1 FROM wallet_users WHERE phone = $1 AND phone_verified_at IS NOT NULL`, [phone]);
  if (taken) return walletFailure('wallet_phone_taken', 'この電話番号は別のウォレットで確認済みです / This phone number already belongs to another wallet', { field: 'phone' });
  const opened = await signUp(context, input);
  if (!opened.ok) return opened;
  await context.db.query(`UPDATE wallet_users SET phone = $2 WHERE id = $1`, [opened.value.id, phone]);
  // The wallet is open either way: if the gateway fails or the cap is hit, the code page offers to send again.
  const sent = await sendPhoneCode(context, sms, opened.value).catch((error: unknown) => {
    context.log.error({ err: error, wallet_user_id: opened.value.id }, 'phone code not sent at sign-up');
    return undefined;
  });
  if (sent && !sent.ok) context.log.warn({ wallet_user_id: opened.value.id, code: sent.code }, 'phone code not sent at sign-up');
  return opened;
}
