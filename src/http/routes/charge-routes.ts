import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../../bank-services.ts';
import { CHARGES_PAGE_MAX, getCharge, listCharges } from '../../charges/charge-queries.ts';
import { refundCharge } from '../../charges/refund-charge.ts';
import type { AccessTokenVerifier } from '../../authorization/access-token-verifier.ts';
import { authenticateOperator, bearerToken, idempotencyKey } from '../operator-auth.ts';
import {
  ChargeBody,
  ChargeResponse,
  IdempotencyHeaders,
  RefundBody,
  RefundResponse,
  Uuid,
  problemResponses,
} from '../api-schemas.ts';

/** /v1/charges: pull money from a linked account, list charges, refund them. */
export async function chargeRoutes(app: FastifyInstance, services: BankServices, verifier: AccessTokenVerifier): Promise<void> {
  app.post<{ Body: ChargeBody }>('/v1/charges', {
    schema: {
      tags: ['charges'],
      summary: "Charge a linked account into the operator's settlement account",
      description:
        'Authenticated with a DPoP-bound access token for one link (`Authorization: DPoP` plus a `DPoP` proof), or on the ' +
        '2020 path with the link credential (`Authorization: Bearer`). The same Idempotency-Key with the same body ' +
        'returns the first charge (header `Idempotent-Replayed: true`); with a different body it is refused.',
      security: [{ linkDpop: [] }, { linkBearer: [] }],
      headers: IdempotencyHeaders,
      body: ChargeBody,
      response: { 201: ChargeResponse, ...problemResponses },
    },
  }, async (request, reply) => {
    const credential = verifier.presentsAccessToken(request)
      ? { kind: 'access_token' as const, ...(await verifier.verify(request)) }
      : { kind: 'link_token' as const, token: bearerToken(request) };
    const idempotency_key = idempotencyKey(request);
    const result = await services.charges.charge({
      credential,
      link_id: request.body.link_id ?? null,
      idempotency_key,
      amount_yen: request.body.amount_yen,
      description: request.body.description ?? null,
    });
    services.metrics.charges.inc({ outcome: result.kind === 'refused' ? result.error.code : 'allow' });
    if (result.kind === 'refused') throw result.error;
    if (result.replayed) reply.header('idempotent-replayed', 'true');
    else request.log.info({ charge_id: result.charge.id, link_id: result.charge.link_id, amount_yen: result.charge.amount_yen }, 'charge succeeded');
    return reply.status(201).send(result.charge);
  });

  app.get<{ Querystring: { link_id?: string; limit: number; before?: string } }>('/v1/charges', {
    schema: {
      tags: ['charges'], summary: "List the operator's charges, newest first", security: [{ operatorBasic: [] }],
      querystring: Type.Object(
        {
          link_id: Type.Optional(Uuid),
          limit: Type.Integer({ minimum: 1, maximum: CHARGES_PAGE_MAX, default: 20 }),
          before: Type.Optional(Type.String({ format: 'uuid', description: 'A charge id: list charges older than it' })),
        },
        { additionalProperties: false },
      ),
      response: { 200: Type.Object({ data: Type.Array(ChargeResponse) }), ...problemResponses },
    },
  }, async (request) => {
    const operator = await authenticateOperator(request, services.operators);
    return { data: await listCharges(services.db, operator.id, request.query) };
  });

  app.get<{ Params: { id: string } }>('/v1/charges/:id', {
    schema: {
      tags: ['charges'], summary: 'Read a charge', security: [{ operatorBasic: [] }],
      params: Type.Object({ id: Uuid }), response: { 200: ChargeResponse, ...problemResponses },
    },
  }, async (request) => {
    const operator = await authenticateOperator(request, services.operators);
    return getCharge(services.db, operator.id, request.params.id);
  });

  app.post<{ Params: { id: string }; Body: RefundBody }>('/v1/charges/:id/refunds', {
    schema: {
      tags: ['charges'], summary: 'Refund part or all of a charge to the customer', security: [{ operatorBasic: [] }],
      params: Type.Object({ id: Uuid }), headers: IdempotencyHeaders, body: RefundBody,
      response: { 201: RefundResponse, ...problemResponses },
    },
  }, async (request, reply) => {
    const operator = await authenticateOperator(request, services.operators);
    const { refund, replayed } = await refundCharge(services, operator, {
      charge_id: request.params.id,
      idempotency_key: idempotencyKey(request),
      amount_yen: request.body.amount_yen,
    });
    if (replayed) reply.header('idempotent-replayed', 'true');
    return reply.status(201).send(refund);
  });
}
