import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Logs each request once, when it is answered: method, URL, client address, status, time taken and request id on one
 * line, instead of Fastify's "incoming request" line followed by "request completed". The first line said nothing the
 * second does not, since every request ends in an answer or a timeout (SERVER_LIMITS); at `info` the two lines cost
 * 57 µs of CPU a request and the one line 42 µs (src/bench/request-log-bench.ts). Errors are logged as Fastify does.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {
    // Logged with its answer, in requestCompleted.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
