import { errorCodes, type ErrorCode } from './error-codes.ts';

/** A failure with a stable code from the registry; the HTTP layer turns it into problem+json. */
export class FurikaeError extends Error {
  override name = 'FurikaeError';
  readonly code: ErrorCode;
  /** Machine-readable facts for the client, e.g. the limit that was hit. Never secrets. */
  readonly details: Record<string, unknown> | undefined;
  /**
   * The HTTP status of `code`. A plain property, not a getter: frameworks that handle an error they did not expect
   * (Koa's onerror, under oidc-provider) assign `err.status`, and a getter-only property made that assignment throw.
   */
  readonly status: number;

  constructor(code: ErrorCode, detail?: string, details?: Record<string, unknown>) {
    super(detail ?? errorCodes[code].title);
    this.code = code;
    this.details = details;
    this.status = errorCodes[code].status;
  }
}
