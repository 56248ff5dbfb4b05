import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../shared/clock.ts';
import { createEkycSimulator, EKYC_SIMULATOR_METHOD } from './ekyc-simulator.ts';
import type { EkycRequest } from './ekyc-vendor.ts';
import { tinyPng } from './tiny-png.ts';

const clock = new ManualClock('2026-11-21T03:00:00Z');
const request = (overrides: Partial<EkycRequest> = {}): EkycRequest => ({
  applicant_id: 'wallet-user-1',
  document: { bytes: tinyPng(), media_type: 'image/png' },
  face: { kind: 'simulated', result: 'match' },
  declared: { name_kana: 'ヤマダ ハナコ', birth_date: '1948-03-15' },
  ...overrides,
});

test('an image with a face match is verified at the document-and-face level, by the simulator’s named method, at the clock’s time', async () => {
  const result = await createEkycSimulator({ clock }).verify(request());
  assert.equal(result.ok, true);
  assert.ok(result.ok);
  assert.equal(result.level, 'ekyc_document_face');
  assert.equal(result.method, EKYC_SIMULATOR_METHOD);
  assert.match(result.method, /simulator/, 'an attestation backed by the simulator says so');
  assert.deepEqual(result.verified_at, clock.now());
  assert.deepEqual([result.name_kana, result.birth_date], ['ヤマダ ハナコ', '1948-03-15']);
  assert.match(result.reference, /^sim_/);
});

test('the face-match result "no match" is refused with face_mismatch', async () => {
  const result = await createEkycSimulator({ clock }).verify(request({ face: { kind: 'simulated', result: 'no_match' } }));
  assert.deepEqual(result.ok ? 'verified' : result.code, 'face_mismatch');
});

test('a document whose bytes are not the image type it claims is refused as unreadable', async () => {
  const pdf = new TextEncoder().encode('%PDF-1.7');
  const result = await createEkycSimulator({ clock }).verify(request({ document: { bytes: pdf, media_type: 'image/png' } }));
  assert.deepEqual(result.ok ? 'verified' : result.code, 'document_unreadable');
});
