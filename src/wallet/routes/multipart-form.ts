/**
 * multipart/form-data for the one wallet form that uploads a file (eKYC). Parsed with the WHATWG FormData
 * parser Node already ships (undici's Request.formData), so no multipart library is needed. The body arrives
 * whole, capped by the route's bodyLimit, before it is parsed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FurikaeError } from '../../errors/furikae-error.ts';
import type { FormBody } from './page-kit.ts';

/** Parts a wallet upload form may have: a handful of fields and one file. More is not a browser filling in our form. */
export const MULTIPART_PARTS_MAX = 16;

/** Marks a field that arrived more than once, so it reads as no valid value. */
const REPEATED = Symbol('repeated field');

/** A form's parts: text fields as strings, files as their bytes. A repeated name reads as an array (never valid text). */
export async function readMultipartForm(content_type: string, body: Buffer): Promise<FormBody> {
  let form: FormData;
  try {
    form = await new Request('http://wallet.invalid/', { method: 'POST', headers: { 'content-type': content_type }, body: Uint8Array.from(body) }).formData();
  } catch {
    throw new FurikaeError('validation_failed', 'The form upload could not be read as multipart/form-data');
  }
  const fields: Record<string, unknown> = {};
  let parts = 0;
  for (const [name, value] of form) {
    if (++parts > MULTIPART_PARTS_MAX) throw new FurikaeError('validation_failed', `A form upload has at most ${MULTIPART_PARTS_MAX} parts`);
    const read = typeof value === 'string' ? value : new Uint8Array(await value.arrayBuffer());
    fields[name] = Object.hasOwn(fields, name) ? [REPEATED] : read;
  }
  return fields;
}

/** Lets routes in `scope` accept multipart/form-data bodies of at most `body_bytes_max`. */
export function acceptMultipartForms(scope: FastifyInstance, body_bytes_max: number): void {
  scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: body_bytes_max }, async (request: FastifyRequest, body: Buffer) =>
    readMultipartForm(String(request.headers['content-type']), body));
}
