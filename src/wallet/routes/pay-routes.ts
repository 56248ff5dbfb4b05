import type { FastifyInstance } from 'fastify';
import { parseAmountYen, parseUuid } from '../form-fields.ts';
import { findPayment, payMerchant } from '../pay-merchant.ts';
import { renderPayPage } from '../pages/pay-page.ts';
import { renderPaymentReceipt } from '../pages/receipt-pages.ts';
import { walletBalanceYen } from '../wallet-balance.ts';
import type { WalletContext } from '../wallet-context.ts';
import { listWalletMerchants } from '../wallet-merchants.ts';
import { failureStatus, walletFailure, type WalletFailure } from '../wallet-outcome.ts';
import { formSchema, type PageKit, type SignedIn } from './page-kit.ts';

const TITLE = '支払う / Pay a shop';
const AMOUNT_INVALID = '金額は1円以上の整数で入力してください / Enter a whole number of yen, at least ¥1';

/** GET and POST /pay, GET /payments/:id (receipt). */
export function registerPayRoutes(app: FastifyInstance, kit: PageKit, context: WalletContext): void {
  async function payPage(signed_in: SignedIn, form: { merchant_id?: string; amount_text?: string; failure?: WalletFailure }) {
    const [merchants, balance_yen] = await Promise.all([listWalletMerchants(context.db), walletBalanceYen(context.ledger, signed_in.user.account_id)]);
    // Every drawing of the form gets a new id: a failed payment wrote nothing, so its id need not be kept.
    return renderPayPage(kit.frame(TITLE, signed_in), { csrf_token: signed_in.form_token, payment_id: kit.nextId(), merchants, balance_yen, ...form });
  }

  app.get('/pay', async (request, reply) => {
    const signed_in = await kit.requireUserOrRedirect(request, reply);
    if (!signed_in) return reply;
    return kit.sendPage(reply, 200, await payPage(signed_in, {}));
  });

  app.post('/pay', { schema: { body: formSchema(['csrf_token', 'payment_id', 'merchant_id', 'amount_yen']) }, attachValidation: true }, async (request, reply) => {
    const signed_in = await kit.requireUserForm(request, reply);
    if (!signed_in) return reply;
    const amount_text = kit.field(request, 'amount_yen');
    const merchant_id = kit.field(request, 'merchant_id');
    const amount_yen = parseAmountYen(amount_text);
    const outcome =
      kit.schemaFailure(request) ??
      (amount_yen === null
        ? walletFailure('validation_failed', AMOUNT_INVALID, { field: 'amount_yen' })
        : await payMerchant(context, signed_in.user, { payment_id: kit.field(request, 'payment_id'), merchant_id, amount_yen }));
    if (outcome.ok) return kit.redirect(reply, `/payments/${outcome.value.payment.id}${outcome.value.replayed ? '?replayed=1' : ''}`);
    return kit.sendPage(reply, failureStatus(outcome), await payPage(signed_in, { merchant_id, amount_text, failure: outcome }));
  });

  app.get(
    '/payments/:id',
    { schema: { querystring: { type: 'object', properties: { replayed: { type: 'string', maxLength: 1 } } } } },
    async (request, reply) => {
      const signed_in = await kit.requireUserOrRedirect(request, reply);
      if (!signed_in) return reply;
      const id = parseUuid((request.params as { id: string }).id);
      const payment = id === null ? null : await findPayment(context.db, signed_in.user.id, id);
      if (!payment) return kit.sendRefusal(reply, walletFailure('route_not_found', '支払いが見つかりません / No such payment'), { href: '/', text: 'ホーム / Home' }, signed_in);
      const notice = (request.query as { replayed?: string }).replayed === '1' ? 'この支払いは済んでいます / This payment was already made (the form was sent twice)' : undefined;
      return kit.sendPage(reply, 200, renderPaymentReceipt(kit.frame('支払い明細 / Payment receipt', signed_in), { payment, notice }));
    },
  );
}
