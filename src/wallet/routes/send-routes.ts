import type { FastifyInstance } from 'fastify';
import { parseAmountYen, parseUuid } from '../form-fields.ts';
import { renderSendReceipt } from '../pages/receipt-pages.ts';
import { renderSendPage } from '../pages/send-page.ts';
import { findSend, sendToUser } from '../send-to-user.ts';
import { walletBalanceYen } from '../wallet-balance.ts';
import type { WalletContext } from '../wallet-context.ts';
import { failureStatus, walletFailure, type WalletFailure } from '../wallet-outcome.ts';
import { formSchema, type PageKit, type SignedIn } from './page-kit.ts';

const TITLE = '送る / Send to a friend';
const AMOUNT_INVALID = '金額は1円以上の整数で入力してください / Enter a whole number of yen, at least ¥1';

/** GET and POST /send, GET /sends/:id (receipt). */
export function registerSendRoutes(app: FastifyInstance, kit: PageKit, context: WalletContext): void {
  async function sendPage(signed_in: SignedIn, form: { recipient_email?: string; amount_text?: string; failure?: WalletFailure }) {
    const balance_yen = await walletBalanceYen(context.ledger, signed_in.user.account_id);
    return renderSendPage(kit.frame(TITLE, signed_in), { csrf_token: signed_in.form_token, send_id: kit.nextId(), balance_yen, ...form });
  }

  app.get('/send', async (request, reply) => {
    const signed_in = await kit.requireUserOrRedirect(request, reply);
    if (!signed_in) return reply;
    return kit.sendPage(reply, 200, await sendPage(signed_in, {}));
  });

  app.post('/send', { schema: { body: formSchema(['csrf_token', 'send_id', 'recipient_email', 'amount_yen']) }, attachValidation: true }, async (request, reply) => {
    const signed_in = await kit.requireUserForm(request, reply);
    if (!signed_in) return reply;
    const amount_text = kit.field(request, 'amount_yen');
    const recipient_email = kit.field(request, 'recipient_email');
    const amount_yen = parseAmountYen(amount_text);
    const outcome =
      kit.schemaFailure(request) ??
      (amount_yen === null
        ? walletFailure('validation_failed', AMOUNT_INVALID, { field: 'amount_yen' })
        : await sendToUser(context, signed_in.user, { send_id: kit.field(request, 'send_id'), recipient_email, amount_yen }));
    if (outcome.ok) return kit.redirect(reply, `/sends/${outcome.value.send.id}${outcome.value.replayed ? '?replayed=1' : ''}`);
    return kit.sendPage(reply, failureStatus(outcome), await sendPage(signed_in, { recipient_email, amount_text, failure: outcome }));
  });

  app.get(
    '/sends/:id',
    { schema: { querystring: { type: 'object', properties: { replayed: { type: 'string', maxLength: 1 } } } } },
    async (request, reply) => {
      const signed_in = await kit.requireUserOrRedirect(request, reply);
      if (!signed_in) return reply;
      const id = parseUuid((request.params as { id: string }).id);
      const send = id === null ? null : await findSend(context.db, signed_in.user.id, id);
      if (!send) return kit.sendRefusal(reply, walletFailure('route_not_found', '送金が見つかりません / No such send'), { href: '/', text: 'ホーム / Home' }, signed_in);
      const notice = (request.query as { replayed?: string }).replayed === '1' ? 'この送金は済んでいます / This was already sent (the form was sent twice)' : undefined;
      return kit.sendPage(reply, 200, renderSendReceipt(kit.frame('送金明細 / Send receipt', signed_in), { send, notice }));
    },
  );
}
