import type { FastifyInstance } from 'fastify';
import { generate } from 'otplib';
import type { Clock } from '../shared/clock.ts';
import { TOTP_PERIOD_SECONDS } from '../mfa/totp-code.ts';
import { html } from '../web/html.ts';
import { bankPage } from '../web/layout.ts';
import { DEMO_STAFF_MEMBERS, DEMO_STAFF_TOTP_SECRET } from './demo-seed.ts';

/** Where the demo shows the demo staff's authenticator code. */
export const DEMO_AUTHENTICATOR_PATH = '/simulator/authenticator';

/**
 * GET /simulator/authenticator: the code an authenticator app holding the demo staff secret shows now, so the demo's
 * console can be tried without a phone. DEMO ONLY: registered by `furikae demo`; the secret is published, and
 * `furikae serve` refuses a database where any staff member still has it.
 */
export function demoAuthenticatorPage(app: FastifyInstance, clock: Clock): void {
  app.get(DEMO_AUTHENTICATOR_PATH, { schema: { hide: true } }, async (_request, reply) => {
    const now_seconds = Math.floor(clock.now().getTime() / 1000);
    const code = await generate({ secret: DEMO_STAFF_TOTP_SECRET, period: TOTP_PERIOD_SECONDS, epoch: now_seconds });
    const seconds_left = TOTP_PERIOD_SECONDS - (now_seconds % TOTP_PERIOD_SECONDS);
    const body = html`<h1>認証アプリ (デモ) / Demo authenticator</h1>
<p class="banner-warn">デモ専用: デモ行員 (${DEMO_STAFF_MEMBERS.map((member) => member.login_id).join(', ')}) の認証アプリに表示されるコードです。
Demo only: the code the demo staff's authenticator app shows now. A code works once; reload for the next one.</p>
<div class="card"><p style="font-size:2.4rem;font-weight:700;letter-spacing:.2em" id="code">${code}</p>
<p class="muted">あと ${seconds_left} 秒 · ${seconds_left} s left · secret <code>${DEMO_STAFF_TOTP_SECRET}</code></p></div>`;
    return reply.type('text/html').header('cache-control', 'no-store').send(bankPage('Demo authenticator', body));
  });
}
