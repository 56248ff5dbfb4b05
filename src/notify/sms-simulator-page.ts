import type { FastifyInstance } from 'fastify';
import { html } from '../web/html.ts';
import { bankPage } from '../web/layout.ts';
import type { SmsSimulator } from './sms-simulator.ts';

/** Messages the page shows: the newest ones are the ones anyone is waiting for. */
export const SMS_SIMULATOR_MESSAGES_SHOWN_MAX = 50;

/** Where the demo bank shows the texts its SMS simulator "sent". */
export const SMS_SIMULATOR_PATH = '/simulator/sms';

/**
 * GET /simulator/sms: every text the bank "sent", codes included, to anyone who asks. DEMO ONLY: registered by
 * `furikae demo` on the simulator it passes the bank; `furikae serve` sends through a real gateway and has no such page.
 */
export function smsSimulatorPage(app: FastifyInstance, simulator: SmsSimulator): void {
  app.get(SMS_SIMULATOR_PATH, { schema: { hide: true } }, async (_request, reply) => {
    const messages = simulator.messages().slice(-SMS_SIMULATOR_MESSAGES_SHOWN_MAX).reverse();
    const body = html`<h1>SMSシミュレーター / SMS simulator</h1>
<p class="banner-warn">デモ専用: 実際のSMSは送信されていません。 Demo only: no real SMS was sent. These are the messages the bank would have sent.</p>
<table id="sms"><thead><tr><th>To</th><th>Sent (UTC)</th><th>Purpose</th><th>Text</th></tr></thead><tbody>
${messages.map((message) => html`<tr><td>${message.to_phone}</td><td>${message.sent_at.toISOString().slice(0, 19)}</td><td>${message.purpose}</td><td>${message.text}</td></tr>`)}
</tbody></table>`;
    return reply.type('text/html').header('cache-control', 'no-store').send(bankPage('SMS simulator', body));
  });
}
