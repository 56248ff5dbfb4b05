/**
 * Linking a bank account the 2020 way: the user types branch, account number, cash-card PIN, name in
 * katakana and date of birth into the wallet, and the wallet forwards them to the bank. No second factor:
 * anyone holding those five facts can link, which is the attack the lab reproduces.
 * The PIN passes through memory once, to the bank; it is never stored and never logged.
 */
import { BankError } from './bank-error.ts';
import { bankFailure } from './bank-failure.ts';
import { isBirthDate, NAME_KANA_CHARS_MAX, NAME_KANA_TEXT, normalizeNameKana, textField } from './form-fields.ts';
import type { WalletContext } from './wallet-context.ts';
import { findActiveBankLink, type WalletBankLink } from './wallet-bank-links.ts';
import { walletFailure, type WalletOutcome } from './wallet-outcome.ts';
import type { WalletUser } from './wallet-users.ts';
import type { WalletEndUser } from './wallet-devices.ts';

export { NAME_KANA_CHARS_MAX, normalizeNameKana } from './form-fields.ts';

export interface LegacyLinkInput {
  branch_code: string;
  account_number: string;
  pin: string;
  name_kana: string;
  birth_date: string;
}

type Checked = { ok: true; value: LegacyLinkInput } | ReturnType<typeof walletFailure>;

function check(input: LegacyLinkInput, today: Date): Checked {
  const branch_code = (textField(input.branch_code) ?? '').trim();
  const account_number = (textField(input.account_number) ?? '').trim();
  const pin = textField(input.pin) ?? '';
  const name_kana = normalizeNameKana(textField(input.name_kana) ?? '');
  const birth_date = (textField(input.birth_date) ?? '').trim();
  if (!/^[0-9]{3}$/.test(branch_code)) return walletFailure('validation_failed', '支店番号は3桁の数字です / The branch code is 3 digits', { field: 'branch_code' });
  if (!/^[0-9]{7}$/.test(account_number)) return walletFailure('validation_failed', '口座番号は7桁の数字です / The account number is 7 digits', { field: 'account_number' });
  if (!/^[0-9]{4}$/.test(pin)) return walletFailure('validation_failed', '暗証番号は4桁の数字です / The PIN is 4 digits', { field: 'pin' });
  if (name_kana.length > NAME_KANA_CHARS_MAX || !NAME_KANA_TEXT.test(name_kana)) {
    return walletFailure('validation_failed', '名前はカタカナで入力してください / Enter the name in katakana', { field: 'name_kana' });
  }
  if (!isBirthDate(birth_date, today)) return walletFailure('validation_failed', '生年月日が正しくありません / Enter the date of birth as YYYY-MM-DD', { field: 'birth_date' });
  return { ok: true, value: { branch_code, account_number, pin, name_kana, birth_date } };
}

/** Links the user's bank account through the bank's legacy (PIN-only) endpoint, from `end_user`, and keeps the link token. */
export async function linkBankAccount(context: WalletContext, user: WalletUser, input: LegacyLinkInput,
  end_user?: WalletEndUser): Promise<WalletOutcome<WalletBankLink>> {
  const { db, bank, clock, log } = context;
  const checked = check(input, clock.now());
  if (!checked.ok) return checked;
  if (await findActiveBankLink(db, user.id)) return walletFailure('wallet_bank_link_exists', 'すでに銀行口座と連携しています / This wallet already has a bank link');

  let created: Awaited<ReturnType<typeof bank.createLegacyLink>>;
  try {
    created = await bank.createLegacyLink(checked.value, end_user);
  } catch (error) {
    const failure = bankFailure(error);
    log.info({ wallet_user_id: user.id, code: failure.code, bank_code: failure.bank_code }, 'bank link refused');
    return failure;
  }
  const { link, link_token } = created;
  const [row] = await db.query<WalletBankLink>(
    `INSERT INTO wallet_bank_links (id, user_id, link_token, status, method, branch_code, account_number_masked,
       charge_yen_max, charges_yen_per_month_max, created_at)
     VALUES ($1, $2, $3, 'active', $4, $5, $6, $7, $8, $9)
     ON CONFLICT (user_id) WHERE status = 'active' DO NOTHING
     RETURNING id, user_id, link_token, status, method, branch_code, account_number_masked,
       charge_yen_max, charges_yen_per_month_max, created_at, revoked_at`,
    [link.id, user.id, link_token, link.method, link.account.branch_code, link.account.account_number_masked,
      link.limits.charge_yen_max, link.limits.charges_yen_per_month_max, clock.now()],
  );
  if (!row) {
    // Two link forms raced; one link is enough, so give the bank back the one that lost.
    await bank.revokeLink(link.id).catch((error: unknown) => log.warn({ err: error, bank_link_id: link.id }, 'could not revoke a surplus bank link'));
    return walletFailure('wallet_bank_link_exists', 'すでに銀行口座と連携しています / This wallet already has a bank link');
  }
  log.info({ wallet_user_id: user.id, bank_link_id: row.id, method: row.method }, 'bank account linked');
  return { ok: true, value: row };
}

/** Whether the bank error says the link is already gone, so the wallet can forget it too. */
export function isLinkGone(error: unknown): boolean {
  // invalid_grant: a FAPI 2.0 refresh refused because the bank dropped the grant with the link.
  return error instanceof BankError && ['link_revoked', 'link_not_found', 'invalid_grant'].includes(error.bank_code);
}
