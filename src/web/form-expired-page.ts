import type { FastifyReply, FastifyRequest } from 'fastify';
import { html } from './html.ts';
import { customerPage } from './layout.ts';

/**
 * Answers a customer page's form whose token is missing or wrong (src/http/form-csrf.ts checks every POST first):
 * 403, and nothing was done. A customer who merely left the page open too long reloads and tries again.
 */
export function refuseCustomerForm(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.status(403).type('text/html')
    .send(customerPage(request, reply, { ja: 'フォームの期限切れ', en: 'The form expired' }, (say) => html`<p class="error" role="alert">${say('フォームの有効期限が切れました。何も変更していません。前のページに戻って、もう一度お試しください。', 'The form expired. Nothing was changed. Go back and try again.')}</p>`));
}
