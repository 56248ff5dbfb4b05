import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FurikaeError } from '../../errors/furikae-error.ts';
import { MULTIPART_PARTS_MAX, readMultipartForm } from './multipart-form.ts';

async function encode(parts: Array<[string, string | Blob]>): Promise<{ content_type: string; body: Buffer }> {
  const form = new FormData();
  for (const [name, value] of parts) form.append(name, value);
  const request = new Request('http://wallet.test/', { method: 'POST', body: form });
  return { content_type: request.headers.get('content-type')!, body: Buffer.from(await request.arrayBuffer()) };
}

test('text parts read as strings and a file part as its bytes', async () => {
  const { content_type, body } = await encode([['csrf_token', 'abc'], ['document', new Blob([Uint8Array.from([1, 2, 3])], { type: 'image/png' })]]);
  const fields = await readMultipartForm(content_type, body);
  assert.equal(fields.csrf_token, 'abc');
  assert.deepEqual(fields.document, Uint8Array.from([1, 2, 3]));
});

test('a field sent twice reads as no text at all, so it can never pass as one value', async () => {
  const { content_type, body } = await encode([['face_match', 'match'], ['face_match', 'no_match']]);
  const fields = await readMultipartForm(content_type, body);
  assert.equal(typeof fields.face_match, 'object');
});

test(`more than ${MULTIPART_PARTS_MAX} parts, or a body that is not multipart, is refused with validation_failed`, async () => {
  const many = await encode(Array.from({ length: MULTIPART_PARTS_MAX + 1 }, (_, index) => [`field${index}`, 'x'] as [string, string]));
  await assert.rejects(readMultipartForm(many.content_type, many.body), (error) => error instanceof FurikaeError && error.code === 'validation_failed');
  await assert.rejects(readMultipartForm('multipart/form-data; boundary=nothing-here', Buffer.from('garbage')), (error) => error instanceof FurikaeError && error.code === 'validation_failed');
});
