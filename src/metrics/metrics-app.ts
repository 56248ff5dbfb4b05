import type { FastifyInstance } from 'fastify';
import { createHttpApp } from '../http/create-http-app.ts';
import type { Logger } from '../shared/logger.ts';

/** Where Prometheus reads the metrics, on the metrics listener only. */
export const METRICS_PATH = '/metrics';

/** Where the listener reads the text it serves: one process's registry, or the sum over a serve's workers. */
export interface MetricsSource {
  contentType: string;
  metrics(): Promise<string>;
}

/**
 * The metrics listener: GET /metrics and nothing else, on its own port (METRICS_HOST:METRICS_PORT, loopback unless
 * set). The counts show charge outcomes and which fraud rules fire, which tells an attacker what gets caught, so
 * they are never on the public port: reach them from inside the network, as Prometheus scrapes.
 */
export function createMetricsApp({ metrics, log }: { metrics: { registry: MetricsSource }; log: Logger }): FastifyInstance {
  const app = createHttpApp({ log });
  app.get(METRICS_PATH, async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  return app;
}
