import type { FastifyInstance } from 'fastify';
import { renderHomePage, renderWelcomePage } from '../pages/home-page.ts';
import { identityStepOf } from '../pages/identity-steps.ts';
import { findWalletIdentity } from '../wallet-identity.ts';
import { findShownBankLink } from '../bank-link-state.ts';
import { walletBalanceYen } from '../wallet-balance.ts';
import type { WalletContext } from '../wallet-context.ts';
import { listWalletHistory } from '../wallet-history.ts';
import type { PageKit } from './page-kit.ts';

/** Fixed notices a page may show after a redirect to it with `?done=`. */
const DONE_NOTICES = {
  signed_up: 'ウォレットを開設しました / Your wallet is open',
  linked: '銀行口座と連携しました / Your bank account is linked',
  renewed: '銀行口座連携への同意を更新しました / Your consent to the bank link is renewed',
  unlinked: '銀行口座との連携を解除しました / The bank link has been removed',
  phone_verified: '電話番号を確認しました / Your phone number is verified',
  ekyc_verified: '本人確認が完了しました / Your identity is verified',
} as const;

export type DoneNotice = keyof typeof DONE_NOTICES;

/** The notice for `done` when it is one of the redirects that land on this page; anything else in `done` is ignored. */
export function noticeFor(done: string | undefined, landing_here: readonly DoneNotice[]): string | undefined {
  const key = landing_here.find((candidate) => candidate === done);
  return key === undefined ? undefined : DONE_NOTICES[key];
}

/** GET /: balance, bank link and history when signed in (and, hardened, the sign-up steps); a welcome otherwise. */
export function registerHomeRoutes(app: FastifyInstance, kit: PageKit, context: WalletContext, options: { hardened?: boolean } = {}): void {
  app.get('/', { schema: { querystring: { type: 'object', properties: { done: { type: 'string', maxLength: 32 } } } } }, async (request, reply) => {
    const signed_in = await kit.signedIn(request, reply);
    if (!signed_in) return kit.sendPage(reply, 200, renderWelcomePage(kit.frame('ようこそ / Welcome')));
    const { user } = signed_in;
    const [balance_yen, shown, history, identity] = await Promise.all([
      walletBalanceYen(context.ledger, user.account_id),
      findShownBankLink(context, user.id),
      listWalletHistory(context.db, user.id),
      options.hardened ? findWalletIdentity(context.db, user.id) : undefined,
    ]);
    const { done } = request.query as { done?: string };
    const { link, link_state } = shown;
    const notice = shown.notice ?? noticeFor(done, ['signed_up', 'linked', 'renewed', 'unlinked']);
    const identity_step = identity ? identityStepOf(identity, link !== null) : undefined;
    return kit.sendPage(reply, 200, renderHomePage(kit.frame('ホーム / Home', signed_in), { balance_yen, link, link_state, ...(shown.renewal ? { renewal: shown.renewal } : {}), history, notice, identity_step }));
  });
}
