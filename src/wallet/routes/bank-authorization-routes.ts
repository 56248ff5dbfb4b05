import type { FastifyInstance } from 'fastify';
import type { FapiOperatorClient } from '../fapi-operator-client.ts';
import { finishBankAuthorization } from '../finish-bank-authorization.ts';
import { renderBankAuthorizationPage } from '../pages/bank-authorization-page.ts';
import { revokeBankLink } from '../revoke-bank-link.ts';
import { startBankAuthorization } from '../start-bank-authorization.ts';
import { findShownBankLink } from '../bank-link-state.ts';
import type { WalletContext } from '../wallet-context.ts';
import { findWalletIdentity } from '../wallet-identity.ts';
import { failureStatus, walletFailure, type WalletFailure } from '../wallet-outcome.ts';
import { noticeFor } from './home-routes.ts';
import { formSchema, type PageKit, type SignedIn } from './page-kit.ts';

const TITLE = '銀行口座の連携 / Link a bank account';
/** Longest callback query read: a code, a state, the issuer and an error description fit many times over. */
const CALLBACK_QUERY_CHARS_MAX = 4096;

/**
 * GET /link, POST /link/start (to the bank), POST /link/renew (the consent, at the bank), GET /link/callback (back from the bank), POST /link/revoke.
 * `public_url` is where users reach the wallet: the callback URL is rebuilt on it, as the bank registered it.
 */
export function registerBankAuthorizationRoutes(
  app: FastifyInstance,
  kit: PageKit,
  context: WalletContext,
  fapi: FapiOperatorClient,
  options: { public_url: string; bank_name: string },
): void {
  const bank_origin = new URL(fapi.issuer).origin;

  async function linkPage(signed_in: SignedIn, message: { failure?: WalletFailure; notice?: string } = {}) {
    const [shown, identity] = await Promise.all([findShownBankLink(context, signed_in.user.id), findWalletIdentity(context.db, signed_in.user.id)]);
    return renderBankAuthorizationPage(kit.frame(TITLE, signed_in), {
      csrf_token: signed_in.form_token, link: shown.link, link_state: shown.link_state, identity, bank_name: options.bank_name,
      ...(shown.notice ? { notice: shown.notice } : {}), ...(shown.renewal ? { renewal: shown.renewal } : {}), ...message,
    });
  }

  app.get('/link', { schema: { querystring: { type: 'object', properties: { done: { type: 'string', maxLength: 32 } } } } }, async (request, reply) => {
    const signed_in = await kit.requireUserOrRedirect(request, reply);
    if (!signed_in) return reply;
    const notice = noticeFor((request.query as { done?: string }).done, ['ekyc_verified']);
    // The start form's answer redirects to the bank, and CSP form-action covers redirects after a post.
    return kit.sendPage(reply, 200, await linkPage(signed_in, { notice }), [bank_origin]);
  });

  app.post('/link/start', { schema: { body: formSchema(['csrf_token']) }, attachValidation: true }, async (request, reply) => {
    const signed_in = await kit.requireUserForm(request, reply);
    if (!signed_in) return reply;
    const outcome = kit.schemaFailure(request) ?? (await startBankAuthorization(context, fapi, signed_in.user, kit.endUser(request)));
    if (outcome.ok) return kit.redirect(reply, outcome.value.authorization_url.href);
    return kit.sendPage(reply, failureStatus(outcome), await linkPage(signed_in, { failure: outcome }), [bank_origin]);
  });

  app.post('/link/renew', { schema: { body: formSchema(['csrf_token']) }, attachValidation: true }, async (request, reply) => {
    const signed_in = await kit.requireUserForm(request, reply);
    if (!signed_in) return reply;
    const outcome = kit.schemaFailure(request) ?? (await startBankAuthorization(context, fapi, signed_in.user, kit.endUser(request), { renew: true }));
    if (outcome.ok) return kit.redirect(reply, outcome.value.authorization_url.href);
    return kit.sendPage(reply, failureStatus(outcome), await linkPage(signed_in, { failure: outcome }), [bank_origin]);
  });

  app.get('/link/callback', async (request, reply) => {
    const signed_in = await kit.requireUserOrRedirect(request, reply);
    if (!signed_in) return reply;
    const outcome = request.url.length > CALLBACK_QUERY_CHARS_MAX
      ? walletFailure('wallet_link_state_invalid')
      : await finishBankAuthorization(context, fapi, signed_in.user, new URL(request.url, options.public_url));
    // Either way, the code and state leave the address bar before anything is shown.
    if (outcome.ok) return kit.redirect(reply, outcome.value.renewed ? '/?done=renewed' : '/?done=linked');
    return kit.sendPage(reply, failureStatus(outcome), await linkPage(signed_in, { failure: outcome }), [bank_origin]);
  });

  app.post('/link/revoke', { schema: { body: formSchema(['csrf_token']) }, attachValidation: true }, async (request, reply) => {
    const signed_in = await kit.requireUserForm(request, reply);
    if (!signed_in) return reply;
    const outcome = await revokeBankLink(context, signed_in.user);
    if (outcome.ok) return kit.redirect(reply, '/?done=unlinked');
    return kit.sendPage(reply, failureStatus(outcome), await linkPage(signed_in, { failure: outcome }), [bank_origin]);
  });
}
