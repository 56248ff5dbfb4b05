import { errorCodes, type ErrorCode } from './error-codes.ts';

/** A failure with a stable code from the registry; the HTTP layer turns it into problem+json. */
export class FurikaeError extends Error {
  override name = 'FurikaeError';
  readonly code: ErrorCode;
  /** Machine-readable facts for the client, e.g. the limit that was hit. Never secrets. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, detail?: string, details?: Record<string, unknown>) {
    super(detail ?? errorCodes[code].title);
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return errorCodes[this.code].status;
  }
}
