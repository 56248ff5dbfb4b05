import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Headers and fields that carry secrets. pino replaces them before a line is written,
 * so a PIN, OTP, token or full account number never reaches a log.
 */
/** Field names that carry a secret wherever they sit in a log line's object. */
const SECRET_FIELDS = ['pin', 'password', 'otp', 'token', 'link_token', 'client_secret', 'account_number'];

/**
 * Headers and fields that carry secrets. pino replaces them before a line is written, so a PIN, OTP, token or full
 * account number never reaches a log: at the top level of the logged object (`log.info({ pin })`), one level down
 * (`{ request: { pin } }`) and two (`{ body: { kyc: { pin } } }`); pino's `*` stands for exactly one level.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers.dpop',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

/** Creates the process logger: JSON lines, secrets redacted; to stdout unless given another destination. */
export function createLogger(options: { level?: string; name?: string } = {}, destination?: DestinationStream): Logger {
  const settings = { name: options.name ?? 'furikae', level: options.level ?? 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(settings, destination) : pino(settings);
}
