import type { FastifyInstance } from 'fastify';
import { parseAmountYen, parseUuid } from '../form-fields.ts';
import { renderChargePage } from '../pages/charge-page.ts';
import { renderTopUpReceipt } from '../pages/receipt-pages.ts';
import { findTopUp, topUp } from '../top-up.ts';
import { walletBalanceYen } from '../wallet-balance.ts';
import { findActiveBankLink } from '../wallet-bank-links.ts';
import type { WalletContext } from '../wallet-context.ts';
import { failureStatus, walletFailure, type WalletFailure } from '../wallet-outcome.ts';
import { formSchema, type PageKit, type SignedIn } from './page-kit.ts';

const TITLE = 'チャージ / Top up';
const AMOUNT_INVALID = '金額は1円以上の整数で入力してください / Enter a whole number of yen, at least ¥1';

/** GET and POST /charge (top up from the bank), GET /top-ups/:id (receipt). */
export function registerChargeRoutes(app: FastifyInstance, kit: PageKit, context: WalletContext): void {
  async function chargePage(signed_in: SignedIn, form: { top_up_id: string; amount_text?: string; failure?: WalletFailure }) {
    const [link, balance_yen] = await Promise.all([
      findActiveBankLink(context.db, signed_in.user.id),
      walletBalanceYen(context.ledger, signed_in.user.account_id),
    ]);
    return renderChargePage(kit.frame(TITLE, signed_in), { csrf_token: signed_in.form_token, link, balance_yen, ...form });
  }

  app.get('/charge', async (request, reply) => {
    const signed_in = await kit.requireUserOrRedirect(request, reply);
    if (!signed_in) return reply;
    return kit.sendPage(reply, 200, await chargePage(signed_in, { top_up_id: kit.nextId() }));
  });

  app.post('/charge', { schema: { body: formSchema(['csrf_token', 'top_up_id', 'amount_yen']) }, attachValidation: true }, async (request, reply) => {
    const signed_in = await kit.requireUserForm(request, reply);
    if (!signed_in) return reply;
    const amount_text = kit.field(request, 'amount_yen');
    const posted_id = parseUuid(kit.field(request, 'top_up_id'));
    const amount_yen = parseAmountYen(amount_text);
    const outcome =
      kit.schemaFailure(request) ??
      (amount_yen === null
        ? walletFailure('validation_failed', AMOUNT_INVALID, { field: 'amount_yen' })
        : await topUp(context, signed_in.user, { top_up_id: kit.field(request, 'top_up_id'), amount_yen, end_user: kit.endUser(request) }));
    if (outcome.ok) return kit.redirect(reply, `/top-ups/${outcome.value.top_up.id}${outcome.value.replayed ? '?replayed=1' : ''}`);
    // Only an unanswered attempt keeps its id, so submitting again settles that same charge;
    // after a definite answer (or bad input) the next submit is a new top-up.
    const unanswered = outcome.retryable === true && posted_id !== null;
    const top_up_id = unanswered ? posted_id : kit.nextId();
    return kit.sendPage(reply, failureStatus(outcome), await chargePage(signed_in, { top_up_id, amount_text, failure: outcome }));
  });

  app.get(
    '/top-ups/:id',
    { schema: { querystring: { type: 'object', properties: { replayed: { type: 'string', maxLength: 1 } } } } },
    async (request, reply) => {
      const signed_in = await kit.requireUserOrRedirect(request, reply);
      if (!signed_in) return reply;
      const id = parseUuid((request.params as { id: string }).id);
      const top_up = id === null ? null : await findTopUp(context.db, signed_in.user.id, id);
      if (!top_up) return kit.sendRefusal(reply, walletFailure('route_not_found', 'チャージが見つかりません / No such top-up'), { href: '/', text: 'ホーム / Home' }, signed_in);
      const notice = (request.query as { replayed?: string }).replayed === '1' ? 'このチャージは受付済みです / This top-up was already made (the form was sent twice)' : undefined;
      return kit.sendPage(reply, 200, renderTopUpReceipt(kit.frame('チャージ明細 / Top-up receipt', signed_in), { top_up, csrf_token: signed_in.form_token, notice }));
    },
  );
}
