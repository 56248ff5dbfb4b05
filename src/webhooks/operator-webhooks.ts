import { randomBytes } from 'node:crypto';
import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import { resolveWebhookTarget, type WebhookResolver } from './webhook-target.ts';
import type { WebhookTargetPolicy } from './webhook-target-policy.ts';

/** Each operator's one webhook endpoint and its signing secret. */
export function createOperatorWebhooks({ db, clock, policy, resolve }: { db: Database; clock: Clock; policy: WebhookTargetPolicy; resolve: WebhookResolver }) {
  return {
    /**
     * Registers (or replaces) the operator's URL with a new secret, returned this once. The URL must be https to a
     * host that resolves to public addresses only (checked again before every POST); otherwise webhook_url_invalid.
     */
    async register(operator_id: string, url: string): Promise<{ url: string; secret: string }> {
      await resolveWebhookTarget(url, policy, resolve);
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
