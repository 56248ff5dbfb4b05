import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { ManualClock } from '../shared/clock.ts';
import { createNotMeTokens, NOT_ME_TOKEN_TTL_SECONDS } from './not-me-token.ts';

const KEY = 'unit-test-not-me-key-0123456789abcdef';
const notice = { id: '01900000-0000-7000-8000-0000000000aa', created_at: new Date('2026-11-10T01:00:00.400Z') };

test('a token names its notice and works until 30 days after the notice, not a second longer', async () => {
  const clock = new ManualClock(notice.created_at);
  const tokens = createNotMeTokens({ key: KEY, clock });
  const token = await tokens.sign(notice);
  assert.deepEqual(await tokens.verify(token), { ok: true, notice_id: notice.id });
  clock.set(new Date(new Date('2026-11-10T01:00:00Z').getTime() + NOT_ME_TOKEN_TTL_SECONDS * 1000 - 1));
  assert.equal((await tokens.verify(token)).ok, true);
  clock.advance(1);
  assert.deepEqual(await tokens.verify(token), { ok: false, code: 'not_me_token_expired' });
  assert.equal(tokens.expiresAt(notice.created_at).toISOString(), '2026-12-10T01:00:00.000Z');
});

test('signing the same notice twice gives the same token, so a retried e-mail carries the same link', async () => {
  const tokens = createNotMeTokens({ key: KEY, clock: new ManualClock() });
  assert.equal(await tokens.sign(notice), await tokens.sign(notice));
});

test('a token under another key, with another type or audience, unsigned, or not a JWS at all is invalid, never expired', async () => {
  const clock = new ManualClock(notice.created_at);
  const tokens = createNotMeTokens({ key: KEY, clock });
  const secret = new TextEncoder().encode(KEY);
  const exp = Math.floor(notice.created_at.getTime() / 1000) + 60;
  const forged = [
    await createNotMeTokens({ key: 'a-different-key-0123456789abcdefghij', clock }).sign(notice),
    await new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setJti(notice.id).setAudience('furikae:not-me').setIssuedAt().setExpirationTime(exp).sign(secret),
    await new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'not-me+jwt' }).setJti(notice.id).setAudience('furikae:webhooks').setIssuedAt().setExpirationTime(exp).sign(secret),
    await new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'not-me+jwt' }).setJti('not-a-uuid').setAudience('furikae:not-me').setIssuedAt().setExpirationTime(exp).sign(secret),
    `${Buffer.from('{"alg":"none","typ":"not-me+jwt"}').toString('base64url')}.${Buffer.from(JSON.stringify({ jti: notice.id, aud: 'furikae:not-me', exp })).toString('base64url')}.`,
    'not a token',
  ];
  for (const token of forged) assert.deepEqual(await tokens.verify(token), { ok: false, code: 'not_me_token_invalid' }, token.slice(0, 50));
  // An expired token under another key is invalid, not expired: "expired" is said only of genuine tokens.
  clock.advance(NOT_ME_TOKEN_TTL_SECONDS * 2000);
  assert.deepEqual(await tokens.verify(forged[0]!), { ok: false, code: 'not_me_token_invalid' });
});

test('a key shorter than 32 characters is refused', () => {
  assert.throws(() => createNotMeTokens({ key: 'short', clock: new ManualClock() }), /at least 32/);
});
