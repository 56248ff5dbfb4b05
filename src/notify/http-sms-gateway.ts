import type { Logger } from '../shared/logger.ts';
import { isLoopbackHostname } from '../shared/loopback.ts';
import { normalizePhoneNumber } from '../kyc/phone-number.ts';
import { maskPhone, type SmsChannel } from './sms-channel.ts';

/**
 * How long one send may take before it counts as failed: SMS gateways accept a message in well under a second,
 * and the callers (a login code, the outbox dispatcher) would rather fail and retry than hold a request open.
 */
export const SMS_GATEWAY_TIMEOUT_MS = 10_000;

/** A message the gateway did not accept. Carries the status, never the text (it may hold a one-time code). */
export class SmsGatewayError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'SmsGatewayError';
    this.status = status;
  }
}

export interface HttpSmsGatewayOptions {
  /** The gateway's send endpoint; https unless the gateway runs on this machine. */
  url: string;
  /** SECRET. The bearer token the gateway issued to the bank. */
  token: string;
  log: Logger;
  timeout_ms?: number;
}

/**
 * The production SmsChannel: an HTTPS SMS gateway (the bank's carrier aggregator). One message is one
 * `POST {url}` with `Authorization: Bearer {token}` and the JSON body `{"to": "+819012345678", "text": "…"}`;
 * any 2xx means accepted. Numbers go out in E.164, as gateways expect. A refusal, a timeout or a network error
 * throws SmsGatewayError, so the caller's own retry (the outbox dispatcher's back-off) applies. Neither the text
 * nor the token is ever logged.
 */
export function createHttpSmsGateway({ url, token, log, timeout_ms = SMS_GATEWAY_TIMEOUT_MS }: HttpSmsGatewayOptions): SmsChannel {
  const endpoint = new URL(url);
  if (endpoint.protocol !== 'https:' && !(endpoint.protocol === 'http:' && isLoopbackHostname(endpoint.hostname))) {
    throw new Error('SMS_GATEWAY_URL must be https:// (plain http only for a gateway on this machine): messages carry one-time codes');
  }
  if (token.length === 0) throw new Error('SMS_GATEWAY_TOKEN is empty');
  return {
    async send(message) {
      const to = normalizePhoneNumber(message.to_phone);
      if (!to) throw new SmsGatewayError(`not a phone number: ${maskPhone(message.to_phone)}`);
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ to, text: message.text }),
          signal: AbortSignal.timeout(timeout_ms),
          redirect: 'error',
        });
      } catch (error) {
        const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeout_ms} ms` : 'unreachable';
        log.warn({ to_phone: maskPhone(message.to_phone), purpose: message.purpose, reason }, 'sms gateway failed');
        throw new SmsGatewayError(`SMS gateway ${reason}`);
      }
      if (!response.ok) {
        // The answer's body is not logged: some gateways echo the message, and the message may hold a code.
        await response.body?.cancel();
        log.warn({ to_phone: maskPhone(message.to_phone), purpose: message.purpose, status: response.status }, 'sms gateway refused a message');
        throw new SmsGatewayError(`SMS gateway answered ${response.status}`, response.status);
      }
      await response.body?.cancel();
      log.info({ to_phone: maskPhone(message.to_phone), purpose: message.purpose }, 'sms sent');
    },
  };
}
