import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import { authenticateOperator } from '../http/operator-auth.ts';
import { WebhookBody, problemResponses } from '../http/api-schemas.ts';
import { FurikaeError } from '../errors/furikae-error.ts';

/** /v1/webhook: the operator's endpoint for the outcomes of waiting charges and for consent reminders and renewals. */
export async function webhookRoutes(app: FastifyInstance, services: BankServices): Promise<void> {
  app.put<{ Body: WebhookBody }>('/v1/webhook', {
    schema: {
      tags: ['webhooks'],
      summary: 'Register (or replace) the webhook URL; answers a new signing secret, shown this once',
      description:
        'The bank POSTs `{ id, type, created_at, data: { charge } }` when a `pending_approval` or `held` charge ends ' +
        '(`charge.succeeded`, `charge.declined`, `charge.expired`), and `{ …, data: { link } }` 14 days before a link\'s consent ' +
        'ends (`link.consent_expiring`) and when the customer renews it (`link.consent_renewed`), retrying with back-off until a 2xx. Each delivery carries ' +
        '`Furikae-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body" under the secret>`: check it in constant time and ' +
        'refuse timestamps more than 5 minutes old. Registering again rotates the secret.',
      security: [{ operatorBasic: [] }],
      body: WebhookBody,
      response: { 200: Type.Object({ url: Type.String(), secret: Type.String() }), ...problemResponses },
    },
  }, async (request) => {
    const operator = await authenticateOperator(request, services);
    const registered = await services.webhooks.register(operator.id, request.body.url);
    request.log.info({ operator_id: operator.id }, 'webhook registered');
    return registered;
  });

  app.get('/v1/webhook', {
    schema: {
      tags: ['webhooks'], summary: 'The registered webhook URL (never the secret)', security: [{ operatorBasic: [] }],
      response: { 200: Type.Object({ url: Type.String(), updated_at: Type.String({ format: 'date-time' }) }), ...problemResponses },
    },
  }, async (request) => {
    const operator = await authenticateOperator(request, services);
    const found = await services.webhooks.get(operator.id);
    if (!found) throw new FurikaeError('route_not_found', 'No webhook is registered');
    return found;
  });

  app.delete('/v1/webhook', {
    schema: { tags: ['webhooks'], summary: 'Remove the webhook', security: [{ operatorBasic: [] }], response: { 204: Type.Null(), ...problemResponses } },
  }, async (request, reply) => {
    const operator = await authenticateOperator(request, services);
    await services.webhooks.remove(operator.id);
    return reply.status(204).send();
  });
}
