import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../../bank-services.ts';
import { createLegacyLink } from '../../linking/legacy-link.ts';
import { maskAccountNumber, type Link } from '../../linking/link.ts';
import type { LinkView } from '../../linking/link-store.ts';
import { authenticateOperator } from '../operator-auth.ts';
import { LegacyLinkBody, LinkResponse, Uuid, problemResponses } from '../api-schemas.ts';
import { EndUserHeaders, endUserSource } from '../end-user-source.ts';

function linkResponse(link: Link, account: { branch_code: string; account_number: string }) {
  return {
    id: link.id,
    status: link.status,
    method: link.method,
    account: { branch_code: account.branch_code, account_number_masked: maskAccountNumber(account.account_number) },
    limits: { charge_yen_max: link.charge_yen_max, charges_yen_per_month_max: link.charges_yen_per_month_max },
    created_at: link.created_at,
    revoked_at: link.revoked_at,
    consent_expires_at: link.consent_expires_at,
  };
}

const viewResponse = (link: LinkView) => linkResponse(link, link);

/** /v1/links: the 2020 legacy link, reading and revoking links. */
export async function linkRoutes(app: FastifyInstance, services: BankServices): Promise<void> {
  app.post<{ Body: LegacyLinkBody }>('/v1/links/legacy', {
    schema: {
      tags: ['links'],
      summary: 'Link an account with account number, PIN, name and date of birth (2020 path, lab only)',
      description: 'No second factor: enabled only for operators whose policy lists `legacy_pin`. Off by default. Relay the end ' +
        "user's address in `PSU-IP-Address` and device in `X-Device-Id`: the bank throttles by them instead of your server's address.",
      security: [{ operatorBasic: [] }],
      headers: EndUserHeaders,
      body: LegacyLinkBody,
      response: { 201: Type.Object({ link: LinkResponse, link_token: Type.String() }), ...problemResponses },
    },
  }, async (request, reply) => {
    const end_user = endUserSource(request);
    const operator = await authenticateOperator(request, services);
    const { link, link_token } = await createLegacyLink(services, operator, request.body, { ip: request.ip, ...end_user });
    request.log.info({ link_id: link.id, operator_id: operator.id }, 'legacy link created');
    return reply.status(201).send({ link: linkResponse(link, request.body), link_token });
  });

  app.get<{ Params: { id: string } }>('/v1/links/:id', {
    schema: {
      tags: ['links'], summary: 'Read a link', security: [{ operatorBasic: [] }],
      params: Type.Object({ id: Uuid }), response: { 200: LinkResponse, ...problemResponses },
    },
  }, async (request) => {
    const operator = await authenticateOperator(request, services);
    return viewResponse(await services.links.getForOperator(operator.id, request.params.id));
  });

  app.post<{ Params: { id: string } }>('/v1/links/:id/revoke', {
    schema: {
      tags: ['links'], summary: 'Revoke a link; its credential stops working at once', security: [{ operatorBasic: [] }],
      params: Type.Object({ id: Uuid }), response: { 200: LinkResponse, ...problemResponses },
    },
  }, async (request) => {
    const operator = await authenticateOperator(request, services);
    const link = await services.links.revoke(operator.id, request.params.id, `operator:${operator.client_id}`);
    request.log.info({ link_id: link.id, operator_id: operator.id }, 'link revoked by operator');
    return viewResponse(link);
  });
}
