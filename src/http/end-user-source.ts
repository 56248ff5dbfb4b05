import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { FurikaeError } from '../errors/furikae-error.ts';
import { END_USER_ADDRESS_CHARS_MAX, parseEndUserAddress, type EndUserAddress } from '../throttle/end-user-address.ts';
import { DeviceId } from './api-schemas.ts';

/** The header an operator relays its end user's IP address in, named as PSD2 APIs (Berlin Group NextGenPSD2) name it. */
export const END_USER_IP_HEADER = 'psu-ip-address';
/** The header an operator relays its end user's device id in. */
export const END_USER_DEVICE_HEADER = 'x-device-id';

/**
 * The end user's headers on the legacy link and charge routes. The address's form is checked by `endUserSource` rather
 * than by the schema, so a malformed one gets its own code (end_user_address_invalid) and not the generic
 * validation_failed; only its length is the schema's, as for every string the bank takes (no address is longer).
 */
export const EndUserHeaders = Type.Object({
  [END_USER_IP_HEADER]: Type.Optional(Type.String({
    maxLength: END_USER_ADDRESS_CHARS_MAX,
    description: `The IP address (IPv4 or IPv6, at most ${END_USER_ADDRESS_CHARS_MAX} characters, no port) the end user reached the operator from. ` +
      "The bank throttles and counts by it instead of the operator's own server address; IPv6 counts per /64.",
  })),
  [END_USER_DEVICE_HEADER]: Type.Optional(DeviceId),
});

/** Where the end user behind an operator's request is, as far as the operator said. */
export interface EndUserSource {
  end_user_ip?: EndUserAddress;
  device_id?: string;
}

/** Reads the end user's address and device from the request; a malformed address is refused before anything happens. */
export function endUserSource(request: FastifyRequest): EndUserSource {
  const ip_text = request.headers[END_USER_IP_HEADER];
  const device_id = request.headers[END_USER_DEVICE_HEADER];
  const source: EndUserSource = typeof device_id === 'string' ? { device_id } : {};
  if (ip_text === undefined) return source;
  const end_user_ip = typeof ip_text === 'string' ? parseEndUserAddress(ip_text) : undefined;
  if (!end_user_ip) {
    throw new FurikaeError('end_user_address_invalid',
      `headers/${END_USER_IP_HEADER}: not one IPv4 or IPv6 address (no port, brackets, zone or list)`);
  }
  return { ...source, end_user_ip };
}
