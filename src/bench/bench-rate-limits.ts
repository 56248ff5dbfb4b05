import type { HttpRateLimits } from '../throttle/http-rate-limits.ts';

/**
 * Every per-address limit out of reach: a benchmark's load generator is one address sending what a whole market of
 * operators and customers would. The limiter still runs on every request, so its cost stays in the figures.
 */
export const BENCH_RATE_LIMITS: HttpRateLimits = {
  credential_posts_per_window_max: Number.MAX_SAFE_INTEGER,
  api_per_window_max: Number.MAX_SAFE_INTEGER,
  pages_per_window_max: Number.MAX_SAFE_INTEGER,
};
