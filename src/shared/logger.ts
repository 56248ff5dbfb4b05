import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Headers and fields that carry secrets. pino replaces them before a line is written,
 * so a PIN, OTP, token or full account number never reaches a log.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers.dpop',
  'res.headers["set-cookie"]',
  '*.pin',
  '*.password',
  '*.otp',
  '*.token',
  '*.link_token',
  '*.client_secret',
  '*.account_number',
];

/** Creates the process logger: JSON lines, secrets redacted. */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({ name: options.name ?? 'furikae', level: options.level ?? 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}
