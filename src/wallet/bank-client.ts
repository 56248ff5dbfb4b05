/**
 * The wallet's only way to the bank: HTTP, as any operator would. Operator calls authenticate with
 * Basic client credentials; charges authenticate with the link's bearer token and carry an Idempotency-Key.
 */
import { FurikaeError } from '../errors/furikae-error.ts';
import { BankError } from './bank-error.ts';
import type { WalletEndUser } from './wallet-devices.ts';

/** How long one bank call may take before the wallet gives up and treats the outcome as unknown. */
export const BANK_REQUEST_TIMEOUT_MS = 10_000;
/** Largest answer the wallet reads from the bank; the biggest real one (a page of charges) is far smaller. */
export const BANK_RESPONSE_BYTES_MAX = 256 * 1024;
/** The bank's cap on a charge description. */
export const CHARGE_DESCRIPTION_CHARS_MAX = 40;
/** The bank's largest page of charges. */
export const CHARGES_PAGE_MAX = 100;

export interface BankClientOptions {
  base_url: string;
  client_id: string;
  client_secret: string;
  timeout_ms?: number;
}

export interface BankLink {
  id: string;
  status: string;
  method: string;
  account: { branch_code: string; account_number_masked: string };
  limits: { charge_yen_max: number; charges_yen_per_month_max: number };
  created_at: string;
  /** When the customer's consent ends (ISO 8601); null on a 2020 link, or from a bank that does not say. */
  consent_expires_at: string | null;
}

export interface BankCharge {
  id: string;
  link_id: string;
  amount_yen: number;
  refunded_yen: number;
  status: string;
  description: string | null;
  created_at: string;
}

export interface LegacyLinkRequest {
  branch_code: string;
  account_number: string;
  pin: string;
  name_kana: string;
  birth_date: string;
}

/** The end user's headers on the bank's link and charge routes: PSU-IP-Address and X-Device-Id. */
export function endUserHeaders(end_user: WalletEndUser | undefined): Record<string, string> {
  return end_user ? { 'psu-ip-address': end_user.ip, 'x-device-id': end_user.device_id } : {};
}

export interface BankClient {
  /** POST /v1/links/legacy: the 2020 path, account number + PIN, no second factor; from the end user, when known. */
  createLegacyLink(request: LegacyLinkRequest, end_user?: WalletEndUser): Promise<{ link: BankLink; link_token: string }>;
  /** POST /v1/charges; `replayed` is true when the bank answered from its idempotency record. */
  createCharge(request: {
    link_token: string;
    idempotency_key: string;
    amount_yen: number;
    description?: string;
    end_user?: WalletEndUser;
  }): Promise<{ charge: BankCharge; replayed: boolean }>;
  getCharge(charge_id: string): Promise<BankCharge>;
  listCharges(query: { link_id: string; limit?: number }): Promise<BankCharge[]>;
  /** POST /v1/charges/{id}/refunds. */
  refundCharge(request: { charge_id: string; idempotency_key: string; amount_yen: number }): Promise<Record<string, unknown>>;
  revokeLink(link_id: string): Promise<BankLink>;
  /** GET /v1/links/{id}: the link as the bank sees it now (active, frozen or revoked); `timeout_ms` for a page that must not wait long. */
  getLink(link_id: string, options?: { timeout_ms?: number }): Promise<BankLink>;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(what: string): BankError {
  return new BankError(502, 'bank_response_invalid', `the bank's answer has no valid ${what}`);
}

function text(value: Json, key: string): string {
  const field = value[key];
  if (typeof field !== 'string') throw invalid(key);
  return field;
}

function yen(value: Json, key: string): number {
  const field = value[key];
  if (typeof field !== 'number' || !Number.isSafeInteger(field) || field < 0) throw invalid(key);
  return field;
}

function readLink(value: unknown): BankLink {
  // Some answers wrap the link ({ link }) and some are the link itself; accept both.
  const link = isObject(value) && isObject(value.link) ? value.link : value;
  if (!isObject(link) || !isObject(link.account) || !isObject(link.limits)) throw invalid('link');
  return {
    id: text(link, 'id'),
    status: text(link, 'status'),
    method: text(link, 'method'),
    account: { branch_code: text(link.account, 'branch_code'), account_number_masked: text(link.account, 'account_number_masked') },
    limits: {
      charge_yen_max: yen(link.limits, 'charge_yen_max'),
      charges_yen_per_month_max: yen(link.limits, 'charges_yen_per_month_max'),
    },
    created_at: text(link, 'created_at'),
    consent_expires_at: typeof link.consent_expires_at === 'string' ? link.consent_expires_at : null,
  };
}

/** A charge as the bank's API returns it, checked field by field. */
export function readCharge(value: unknown): BankCharge {
  if (!isObject(value)) throw invalid('charge');
  return {
    id: text(value, 'id'),
    link_id: text(value, 'link_id'),
    amount_yen: yen(value, 'amount_yen'),
    refunded_yen: yen(value, 'refunded_yen'),
    status: text(value, 'status'),
    description: typeof value.description === 'string' ? value.description : null,
    created_at: text(value, 'created_at'),
  };
}

/** A bank answer that was not a refusal. */
export interface BankAnswer {
  status: number;
  body: unknown;
  headers: Headers;
}

/**
 * Reads a bank response, whoever sent the request (this client, or openid-client for DPoP calls): the body as
 * JSON within BANK_RESPONSE_BYTES_MAX, and a problem+json refusal as a BankError with the bank's own code.
 * A network failure while reading is thrown as it is, for the caller to treat as "no answer".
 */
export async function readBankAnswer(response: Response, what: string): Promise<BankAnswer> {
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > BANK_RESPONSE_BYTES_MAX) throw new BankError(502, 'bank_response_invalid', 'the answer is too large');
  const raw = await response.text();
  if (raw.length > BANK_RESPONSE_BYTES_MAX) throw new BankError(502, 'bank_response_invalid', 'the answer is too large');
  let body: unknown = undefined;
  try {
    body = raw.length > 0 ? JSON.parse(raw) : undefined;
  } catch {
    throw new BankError(response.status >= 400 ? response.status : 502, 'bank_response_invalid', `the answer to ${what} is not JSON`);
  }
  if (response.status >= 400) {
    const problem = isObject(body) ? body : {};
    const code = typeof problem.code === 'string' ? problem.code : 'bank_error';
    const detail = typeof problem.detail === 'string' ? problem.detail : typeof problem.title === 'string' ? problem.title : `HTTP ${response.status}`;
    throw new BankError(response.status, code, detail);
  }
  return { status: response.status, body, headers: response.headers };
}

/** Creates a client for one bank, authenticated as one operator. */
export function createBankClient(options: BankClientOptions): BankClient {
  const base = new URL(options.base_url);
  const timeout_ms = options.timeout_ms ?? BANK_REQUEST_TIMEOUT_MS;
  const basic = `Basic ${Buffer.from(`${options.client_id}:${options.client_secret}`).toString('base64')}`;

  async function call(
    method: 'GET' | 'POST',
    path: string,
    init: { authorization: string; body?: unknown; idempotency_key?: string; timeout_ms?: number; end_user?: WalletEndUser },
  ): Promise<BankAnswer> {
    const headers: Record<string, string> = { authorization: init.authorization, accept: 'application/json', ...endUserHeaders(init.end_user) };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.idempotency_key !== undefined) headers['idempotency-key'] = init.idempotency_key;
    try {
      const response = await fetch(new URL(path, base), {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(init.timeout_ms ?? timeout_ms),
        redirect: 'error',
      });
      return await readBankAnswer(response, `${method} ${path}`);
    } catch (error) {
      if (error instanceof BankError) throw error;
      // A timeout or a dropped connection: the bank may or may not have acted, so the caller must retry with the same key.
      throw new FurikaeError('wallet_bank_unreachable', `${method} ${path} got no answer: ${(error as Error).name}`);
    }
  }

  return {
    async createLegacyLink(request, end_user) {
      const { branch_code, account_number, pin, name_kana, birth_date } = request;
      const { body } = await call('POST', '/v1/links/legacy', {
        authorization: basic,
        body: { branch_code, account_number, pin, name_kana, birth_date },
        ...(end_user ? { end_user } : {}),
      });
      if (!isObject(body)) throw invalid('link');
      const link_token = body.link_token;
      if (typeof link_token !== 'string' || link_token.length === 0) throw invalid('link_token');
      return { link: readLink(body), link_token };
    },

    async createCharge(request) {
      const payload: Json = { amount_yen: request.amount_yen };
      if (request.description !== undefined) payload.description = request.description;
      const { body, headers } = await call('POST', '/v1/charges', {
        authorization: `Bearer ${request.link_token}`,
        idempotency_key: request.idempotency_key,
        body: payload,
        ...(request.end_user ? { end_user: request.end_user } : {}),
      });
      return { charge: readCharge(body), replayed: headers.get('idempotent-replayed') === 'true' };
    },

    async getCharge(charge_id) {
      const { body } = await call('GET', `/v1/charges/${encodeURIComponent(charge_id)}`, { authorization: basic });
      return readCharge(body);
    },

    async listCharges(query) {
      const search = new URLSearchParams({ link_id: query.link_id });
      if (query.limit !== undefined) search.set('limit', String(query.limit));
      const { body } = await call('GET', `/v1/charges?${search}`, { authorization: basic });
      if (!isObject(body) || !Array.isArray(body.data)) throw invalid('data');
      return body.data.map(readCharge);
    },

    async refundCharge(request) {
      const { body } = await call('POST', `/v1/charges/${encodeURIComponent(request.charge_id)}/refunds`, {
        authorization: basic,
        idempotency_key: request.idempotency_key,
        body: { amount_yen: request.amount_yen },
      });
      if (!isObject(body) || typeof body.id !== 'string') throw invalid('refund');
      return body;
    },

    async revokeLink(link_id) {
      const { body } = await call('POST', `/v1/links/${encodeURIComponent(link_id)}/revoke`, { authorization: basic });
      return readLink(body);
    },

    async getLink(link_id, options = {}) {
      const { body } = await call('GET', `/v1/links/${encodeURIComponent(link_id)}`, { authorization: basic, ...options });
      return readLink(body);
    },
  };
}
