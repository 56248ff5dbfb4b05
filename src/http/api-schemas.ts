import { Type, type Static } from '@sinclair/typebox';
import { AMOUNT_YEN_MAX } from '../shared/yen.ts';

/** Longest Idempotency-Key accepted: room for a UUID or a client's composite key, no more. */
export const IDEMPOTENCY_KEY_CHARS_MAX = 255;
/** Longest charge description: what fits on a statement line. */
export const DESCRIPTION_CHARS_MAX = 40;

export const AmountYen = Type.Integer({ minimum: 1, maximum: AMOUNT_YEN_MAX, description: 'Whole yen, at least 1' });
/** An id: exactly the canonical lower-case 8-4-4-4-12 form the bank hands out (`urn:uuid:`, braces and upper case are refused). */
export const Uuid = Type.String({ format: 'uuid', maxLength: 36, description: 'Canonical lower-case UUID, e.g. 0190e0e0-0000-7000-8000-000000000000' });

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable error code; see docs/errors.md' }),
    detail: Type.String(),
  },
  { additionalProperties: true, $id: 'Problem' },
);

export const LegacyLinkBody = Type.Object(
  {
    branch_code: Type.String({ pattern: '^[0-9]{3}$', maxLength: 3, description: '3-digit branch code' }),
    account_number: Type.String({ pattern: '^[0-9]{7}$', maxLength: 7, description: '7-digit ordinary account number' }),
    pin: Type.String({ pattern: '^[0-9]{4}$', maxLength: 4, description: '4-digit cash-card PIN' }),
    name_kana: Type.String({ minLength: 1, maxLength: 60, description: 'Account holder name in katakana' }),
    birth_date: Type.String({ format: 'date', description: 'YYYY-MM-DD' }),
  },
  { additionalProperties: false },
);
export type LegacyLinkBody = Static<typeof LegacyLinkBody>;

export const LinkResponse = Type.Object({
  id: Uuid,
  status: Type.Union([Type.Literal('active'), Type.Literal('revoked'), Type.Literal('frozen')]),
  method: Type.Union([Type.Literal('legacy_pin'), Type.Literal('fapi2')]),
  account: Type.Object({ branch_code: Type.String(), account_number_masked: Type.String() }),
  limits: Type.Object({ charge_yen_max: Type.Integer(), charges_yen_per_month_max: Type.Integer() }),
  created_at: Type.String({ format: 'date-time' }),
  revoked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  consent_expires_at: Type.Union([Type.String({ format: 'date-time', description: 'When the customer\'s FAPI consent ends (renew it before); null for legacy links' }), Type.Null()]),
});

export const ChargeBody = Type.Object(
  {
    amount_yen: AmountYen,
    description: Type.Optional(Type.String({ minLength: 1, maxLength: DESCRIPTION_CHARS_MAX })),
    link_id: Type.Optional(Type.String({ ...Uuid, description: 'The link to charge; if sent, it must be the credential’s link' })),
  },
  { additionalProperties: false },
);
export type ChargeBody = Static<typeof ChargeBody>;

export const ChargeResponse = Type.Object({
  id: Uuid,
  link_id: Uuid,
  amount_yen: Type.Integer(),
  refunded_yen: Type.Integer(),
  status: Type.Union(
    [Type.Literal('succeeded'), Type.Literal('pending_approval'), Type.Literal('held'), Type.Literal('declined'), Type.Literal('expired')],
    { description: 'succeeded: the money moved. pending_approval: the customer must approve at the bank; held: bank staff review it (both reserve the money). declined, expired: it never moved.' },
  ),
  description: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  approval_expires_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'While pending_approval or held: when the charge expires if nobody decides',
  })),
});

export const RefundBody = Type.Object({ amount_yen: AmountYen }, { additionalProperties: false });
export type RefundBody = Static<typeof RefundBody>;

export const RefundResponse = Type.Object({
  id: Uuid,
  charge_id: Uuid,
  amount_yen: Type.Integer(),
  created_at: Type.String({ format: 'date-time' }),
});

/** An end user's device id as an operator relays it: the throttle and the risk rules count by it. */
export const DeviceId = Type.String({
  pattern: '^[A-Za-z0-9._:-]{1,128}$',
  maxLength: 128,
  description: "The end user's device id as the operator knows it; lets the bank count one device's links and charges",
});

/** Where an operator registers its webhook for charge outcomes. */
export const WebhookBody = Type.Object({ url: Type.String({ minLength: 8, maxLength: 2000, description: 'https URL (http only to loopback)' }) }, { additionalProperties: false });
export type WebhookBody = Static<typeof WebhookBody>;

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: IDEMPOTENCY_KEY_CHARS_MAX })),
});

/** Problem responses every operator endpoint may give, for the OpenAPI document. */
export const problemResponses = {
  400: Problem,
  401: Problem,
  403: Problem,
  404: Problem,
  409: Problem,
  422: Problem,
};
