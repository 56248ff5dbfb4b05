import { FurikaeError } from '../errors/furikae-error.ts';

/**
 * How long clients are told to wait before retrying while the database is away: about one reconnect attempt,
 * short enough that a failover (seconds) costs callers little, long enough not to hammer a bank in trouble.
 */
export const RETRY_AFTER_SECONDS = 2;

/**
 * The database could not be reached or did not answer in time. Nothing this request asked for was acknowledged;
 * the HTTP layer answers 503 `service_unavailable` with `Retry-After`, and background jobs back off and retry.
 */
export class DatabaseUnavailableError extends FurikaeError {
  override name = 'DatabaseUnavailableError';
  readonly retry_after_seconds: number;

  constructor(detail: string, options: { cause?: unknown; retry_after_seconds?: number } = {}) {
    super('service_unavailable', detail, { retry_after_seconds: options.retry_after_seconds ?? RETRY_AFTER_SECONDS });
    this.retry_after_seconds = options.retry_after_seconds ?? RETRY_AFTER_SECONDS;
    if (options.cause !== undefined) this.cause = options.cause;
  }
}
