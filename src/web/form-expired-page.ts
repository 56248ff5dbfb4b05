import type { FastifyReply, FastifyRequest } from 'fastify';
import { html } from './html.ts';
import { bankPage } from './layout.ts';

/**
 * Answers a customer page's form whose token is missing or wrong (src/http/form-csrf.ts checks every POST first):
 * 403, and nothing was done. A customer who merely left the page open too long reloads and tries again.
 */
export function refuseCustomerForm(_request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.status(403).type('text/html')
    .send(bankPage('Refused', html`<p class="error" role="alert">フォームの有効期限が切れました。 The form expired. Go back and try again.</p>`));
}
