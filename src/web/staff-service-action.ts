import type { FastifyReply } from 'fastify';
import { FurikaeError } from '../errors/furikae-error.ts';
import { sendStaffRefusal } from './staff-gate.ts';

/**
 * Runs a console action that calls a service: on success, back to the page `to` (303, so a reload does not post
 * again); a refusal the service raised (a FurikaeError with its stable code) becomes the console's refusal page with
 * that code and the service's sentence. Anything else is a bug and propagates.
 */
export async function staffServiceAction(reply: FastifyReply, work: () => Promise<unknown>, to: string | (() => string)): Promise<FastifyReply> {
  try {
    await work();
  } catch (error) {
    if (error instanceof FurikaeError) return sendStaffRefusal(reply, error.code, error.message);
    throw error;
  }
  return reply.redirect(typeof to === 'string' ? to : to(), 303);
}
