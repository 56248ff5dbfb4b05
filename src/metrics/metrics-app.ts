import type { FastifyInstance } from 'fastify';
import { createHttpApp } from '../http/create-http-app.ts';
import type { Logger } from '../shared/logger.ts';
import type { BankMetrics } from './bank-metrics.ts';

/** Where Prometheus reads the metrics, on the metrics listener only. */
export const METRICS_PATH = '/metrics';

/**
 * The metrics listener: GET /metrics and nothing else, on its own port (METRICS_HOST:METRICS_PORT, loopback unless
 * set). The counts show charge outcomes and which fraud rules fire, which tells an attacker what gets caught, so
 * they are never on the public port: reach them from inside the network, as Prometheus scrapes.
 */
export function createMetricsApp({ metrics, log }: { metrics: BankMetrics; log: Logger }): FastifyInstance {
  const app = createHttpApp({ log });
  app.get(METRICS_PATH, async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  return app;
}
