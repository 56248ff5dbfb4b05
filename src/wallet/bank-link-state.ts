import { BankError } from './bank-error.ts';
import { isLinkGone } from './link-bank-account.ts';
import { findActiveBankLink, markBankLinkRevoked, type WalletBankLink } from './wallet-bank-links.ts';
import type { WalletContext } from './wallet-context.ts';

/**
 * How long a page waits for the bank to say what state a link is in before showing "could not check": the answer is a
 * single-row read on loopback or a LAN, and a user should not wait the full BANK_REQUEST_TIMEOUT_MS for their home page.
 */
export const LINK_STATE_TIMEOUT_MS = 2_000;

/**
 * A link's state as the wallet shows it: the bank's own (active, frozen, revoked), or `unknown` while the bank does
 * not answer (the page then says it could not check, rather than claiming "linked").
 */
export type BankLinkState = 'active' | 'frozen' | 'revoked' | 'unknown';

const BANK_STATES: ReadonlySet<string> = new Set(['active', 'frozen', 'revoked']);

/**
 * Asks the bank (GET /v1/links/{id}) what state the user's link is in. A link the bank revoked, or no longer knows,
 * is marked revoked in the wallet too, so the user can link again; a frozen link stays on record, since the bank
 * may lift the freeze once the customer confirms it was theirs.
 */
export async function readBankLinkState(context: WalletContext, link: WalletBankLink): Promise<BankLinkState> {
  return (await readBankLink(context, link)).state;
}

/**
 * The wallet offers to renew a FAPI consent this many days before it ends: the bank reminds the customer and tells
 * the operator (link.consent_expiring) 14 days before, so the button is there when the bank's e-mail says to use it.
 */
export const CONSENT_RENEWAL_OFFER_DAYS = 14;

/** Whether the user should renew their consent: it ends within CONSENT_RENEWAL_OFFER_DAYS, or has ended. */
export type ConsentRenewalOffer = { kind: 'due' | 'expired'; consent_expires_at: Date };

function renewalOffer(consent_expires_at: string | null, now: Date): ConsentRenewalOffer | undefined {
  if (!consent_expires_at) return undefined;
  const ends = new Date(consent_expires_at);
  if (Number.isNaN(ends.getTime())) return undefined;
  if (ends <= now) return { kind: 'expired', consent_expires_at: ends };
  if (ends.getTime() - now.getTime() <= CONSENT_RENEWAL_OFFER_DAYS * 24 * 60 * 60 * 1000) return { kind: 'due', consent_expires_at: ends };
  return undefined;
}

async function readBankLink(context: WalletContext, link: WalletBankLink): Promise<{ state: BankLinkState; renewal?: ConsentRenewalOffer }> {
  try {
    const { status, consent_expires_at } = await context.bank.getLink(link.id, { timeout_ms: LINK_STATE_TIMEOUT_MS });
    if (!BANK_STATES.has(status)) {
      context.log.warn({ bank_link_id: link.id, status }, 'the bank named a link state the wallet does not know');
      return { state: 'unknown' };
    }
    if (status === 'revoked') await markBankLinkRevoked(context.db, link.id, context.clock.now());
    const renewal = status === 'active' ? renewalOffer(consent_expires_at, context.clock.now()) : undefined;
    return { state: status as BankLinkState, ...(renewal ? { renewal } : {}) };
  } catch (error) {
    if (isLinkGone(error)) {
      await markBankLinkRevoked(context.db, link.id, context.clock.now());
      return { state: 'revoked' };
    }
    context.log.warn({ bank_link_id: link.id, code: error instanceof BankError ? error.bank_code : (error as Error).name }, 'could not read the link state at the bank');
    return { state: 'unknown' };
  }
}

/** A shown link's state: a revoked link is not shown, the page offers to link again instead. */
export type ShownLinkState = Exclude<BankLinkState, 'revoked'>;

/** What a page shows of the user's bank link: the link and its state at the bank, or none. */
export interface ShownBankLink {
  link: WalletBankLink | null;
  link_state?: ShownLinkState;
  /** Set when the bank had revoked the link since the wallet last looked: the user is told why it is gone. */
  notice?: string;
  /** Set when the consent ends soon or has ended: the page offers "renew". */
  renewal?: ConsentRenewalOffer;
}

/** The user's active link and its state at the bank, for a page; a link the bank revoked is dropped with a notice. */
export async function findShownBankLink(context: WalletContext, user_id: string): Promise<ShownBankLink> {
  const link = await findActiveBankLink(context.db, user_id);
  if (!link) return { link: null };
  const { state, renewal } = await readBankLink(context, link);
  if (state === 'revoked') {
    return { link: null, notice: '銀行側で口座連携が解除されました。もう一度連携できます / The bank has ended this link; you can link your account again' };
  }
  return { link, link_state: state, ...(renewal ? { renewal } : {}) };
}
