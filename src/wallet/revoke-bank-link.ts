import { bankFailure } from './bank-failure.ts';
import { isLinkGone } from './link-bank-account.ts';
import type { WalletContext } from './wallet-context.ts';
import { findActiveBankLink, markBankLinkRevoked } from './wallet-bank-links.ts';
import { walletFailure, type WalletOutcome } from './wallet-outcome.ts';
import type { WalletUser } from './wallet-users.ts';

/** Asks the bank to revoke the user's link, then forgets it; a link the bank already dropped is forgotten too. */
export async function revokeBankLink(context: WalletContext, user: WalletUser): Promise<WalletOutcome<{ link_id: string }>> {
  const { db, bank, clock, log } = context;
  const link = await findActiveBankLink(db, user.id);
  if (!link) return walletFailure('wallet_no_bank_link', '連携中の銀行口座はありません / There is no bank link to remove');
  try {
    await bank.revokeLink(link.id);
  } catch (error) {
    if (!isLinkGone(error)) return bankFailure(error);
  }
  await markBankLinkRevoked(db, link.id, clock.now());
  log.info({ wallet_user_id: user.id, bank_link_id: link.id }, 'bank link revoked');
  return { ok: true, value: { link_id: link.id } };
}
