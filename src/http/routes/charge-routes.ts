import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../../bank-services.ts';
import { CHARGES_PAGE_MAX, getCharge, listCharges } from '../../charges/charge-queries.ts';
import { refundCharge } from '../../charges/refund-charge.ts';
import type { AccessTokenVerifier } from '../../authorization/access-token-verifier.ts';
import type { ChargeResult } from '../../charges/charge-pipeline.ts';
import { authenticateOperator, bearerToken, idempotencyKey } from '../operator-auth.ts';
import { EndUserHeaders, endUserSource } from '../end-user-source.ts';
import {
  ChargeBody,
  ChargeResponse,
  IdempotencyHeaders,
  RefundBody,
  RefundResponse,
  Uuid,
  problemResponses,
} from '../api-schemas.ts';

/** The metrics label for an answered charge: the action that took effect (allow, challenge, hold, deny) or the refusal code. */
function outcomeLabel(result: ChargeResult): string {
  if (result.kind === 'refused') return result.error.code === 'charge_denied' ? 'deny' : result.error.code;
  return ({ pending_approval: 'challenge', held: 'hold' } as Record<string, string>)[result.charge.status] ?? 'allow';
}

/** /v1/charges: pull money from a linked account, list charges, refund them. */
export async function chargeRoutes(app: FastifyInstance, services: BankServices, verifier: AccessTokenVerifier): Promise<void> {
  app.post<{ Body: ChargeBody }>('/v1/charges', {
    schema: {
      tags: ['charges'],
      summary: "Charge a linked account into the operator's settlement account",
      description:
        'Authenticated with a DPoP-bound access token for one link (`Authorization: DPoP` plus a `DPoP` proof), or on the ' +
        '2020 path with the link credential (`Authorization: Bearer`). The same Idempotency-Key with the same body ' +
        'returns the first charge (header `Idempotent-Replayed: true`); with a different body it is refused.\n\n' +
        'Every charge goes through the bank\'s risk rules. **201** `succeeded`: the money moved. **202** `pending_approval`: ' +
        'the money is reserved and the customer must approve this exact amount and payee at the bank with a second factor ' +
        'within 10 minutes; **202** `held`: reserved for bank staff to review (up to 3 days). Learn the outcome by webhook ' +
        '(`PUT /v1/webhook`) or by polling `GET /v1/charges/{id}`. **403** `charge_denied`: refused, no money moved.',
      security: [{ linkDpop: [] }, { linkBearer: [] }],
      headers: Type.Composite([IdempotencyHeaders, EndUserHeaders]),
      body: ChargeBody,
      response: { 201: ChargeResponse, 202: ChargeResponse, ...problemResponses },
    },
  }, async (request, reply) => {
    const end_user = endUserSource(request);
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
      source_ip: request.ip,
      end_user_ip: end_user.end_user_ip?.address ?? null,
      device_id: end_user.device_id ?? null,
    });
    services.metrics.charges.inc({ outcome: outcomeLabel(result) });
    for (const rule of result.decision?.rules ?? []) {
      if (rule.outcome !== 'pass') services.metrics.ruleHits.inc({ rule: rule.rule, outcome: rule.outcome });
    }
    if (result.kind === 'refused') throw result.error;
    const { charge } = result;
    if (result.replayed) reply.header('idempotent-replayed', 'true');
    else request.log.info({ charge_id: charge.id, link_id: charge.link_id, amount_yen: charge.amount_yen, status: charge.status }, 'charge answered');
    if (result.kind === 'pending' && !result.replayed) {
      // After the commit, and never undoing it: a lost SMS leaves the charge to expire, which voids it.
      await services.stepUp.notifyWaiting(charge.id).catch((error: unknown) => request.log.error({ err: error, charge_id: charge.id }, 'waiting-charge notice failed'));
    }
    return reply.status(charge.status === 'succeeded' ? 201 : 202).send(charge);
  });

  app.get<{ Querystring: { link_id?: string; limit: number; before?: string } }>('/v1/charges', {
    schema: {
      tags: ['charges'], summary: "List the operator's charges, newest first", security: [{ operatorBasic: [] }],
      querystring: Type.Object(
        {
          link_id: Type.Optional(Uuid),
          limit: Type.Integer({ minimum: 1, maximum: CHARGES_PAGE_MAX, default: 20 }),
          before: Type.Optional(Type.String({ ...Uuid, description: 'A charge id: list charges older than it' })),
        },
        { additionalProperties: false },
      ),
      response: { 200: Type.Object({ data: Type.Array(ChargeResponse) }), ...problemResponses },
    },
  }, async (request) => {
    const operator = await authenticateOperator(request, services);
    return { data: await listCharges(services.db, operator.id, request.query) };
  });

  app.get<{ Params: { id: string } }>('/v1/charges/:id', {
    schema: {
      tags: ['charges'], summary: 'Read a charge; poll it for the outcome of a pending_approval or held charge', security: [{ operatorBasic: [] }],
      params: Type.Object({ id: Uuid }), response: { 200: ChargeResponse, ...problemResponses },
    },
  }, async (request) => {
    const operator = await authenticateOperator(request, services);
    return getCharge(services.db, operator.id, request.params.id);
  });

  app.post<{ Params: { id: string }; Body: RefundBody }>('/v1/charges/:id/refunds', {
    schema: {
      tags: ['refunds'], summary: 'Refund part or all of a charge to the customer', security: [{ operatorBasic: [] }],
      params: Type.Object({ id: Uuid }), headers: IdempotencyHeaders, body: RefundBody,
      response: { 201: RefundResponse, ...problemResponses },
    },
  }, async (request, reply) => {
    const operator = await authenticateOperator(request, services);
    const { refund, replayed } = await refundCharge(services, operator, {
      charge_id: request.params.id,
      idempotency_key: idempotencyKey(request),
      amount_yen: request.body.amount_yen,
    });
    if (replayed) reply.header('idempotent-replayed', 'true');
    return reply.status(201).send(refund);
  });
}
