import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../storage/database.ts';

/**
 * Liveness and readiness, kept apart on purpose. `GET /health` answers while the process runs and never touches
 * the database: an orchestrator restarts a process whose liveness fails, and restarting every bank process
 * because the database is away would only add a cold start to the outage. `GET /ready` asks the database and
 * answers 503 `service_unavailable` with Retry-After while it is unreachable, so a load balancer sends traffic
 * elsewhere until it is back.
 */
export function registerHealthRoutes(app: FastifyInstance, db: Queryable): void {
  app.get('/health', { schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/ready', { schema: { hide: true } }, async () => {
    await db.query('SELECT 1');
    return { ready: true };
  });
}
