import { randomBytes } from 'node:crypto';
import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import { FurikaeError } from '../errors/furikae-error.ts';

/** Longest webhook URL accepted: room for any real endpoint with a path and query. */
export const WEBHOOK_URL_CHARS_MAX = 2000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An https URL (plain http only to loopback, for the demo and tests), with no credentials in it. */
export function checkWebhookUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FurikaeError('webhook_url_invalid', 'The webhook URL is not a URL');
  }
  const secure = parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname));
  if (!secure || url.length > WEBHOOK_URL_CHARS_MAX || parsed.username || parsed.password || parsed.hash) {
    throw new FurikaeError('webhook_url_invalid', 'The webhook URL must be https (http only to loopback), without credentials or fragment');
  }
  return parsed;
}

/** Each operator's one webhook endpoint and its signing secret. */
export function createOperatorWebhooks({ db, clock }: { db: Database; clock: Clock }) {
  return {
    /** Registers (or replaces) the operator's URL with a new secret, returned this once. */
    async register(operator_id: string, url: string): Promise<{ url: string; secret: string }> {
      checkWebhookUrl(url);
      const secret = `whsec_${randomBytes(32).toString('base64url')}`;
      await db.query(
        `INSERT INTO operator_webhooks (operator_id, url, secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (operator_id) DO UPDATE SET url = EXCLUDED.url, secret = EXCLUDED.secret, updated_at = EXCLUDED.updated_at`,
        [operator_id, url, secret, clock.now()],
      );
      return { url, secret };
    },

    /** The registered URL (never the secret), or undefined. */
    async get(operator_id: string): Promise<{ url: string; updated_at: Date } | undefined> {
      const [row] = await db.query<{ url: string; updated_at: Date }>(`SELECT url, updated_at FROM operator_webhooks WHERE operator_id = $1`, [operator_id]);
      return row;
    },

    /** Removes the registration; deliveries not yet sent stay undelivered and are given up by the dispatcher. */
    async remove(operator_id: string): Promise<boolean> {
      return (await db.query(`DELETE FROM operator_webhooks WHERE operator_id = $1 RETURNING 1`, [operator_id])).length > 0;
    },
  };
}

export type OperatorWebhooks = ReturnType<typeof createOperatorWebhooks>;
