import type { FastifyInstance } from 'fastify';
import { html, type SafeHtml } from '../web/html.ts';
import { bankPage } from '../web/layout.ts';
import type { MailSink } from './mail-sink.ts';
import { jst } from '../shared/japan-time.ts';

/** Mails the demo mailbox shows, newest first: the ones someone is waiting for. */
export const MAILBOX_MESSAGES_SHOWN_MAX = 50;

/** Where the demo shows the mail its SMTP sink received. */
export const MAILBOX_PATH = '/demo/mailbox';

const URL_IN_TEXT = /(https?:\/\/[^\s<>"]+)/g;

/** The text, escaped, with its URLs clickable, so a person can follow a "not me" link from the demo. */
function linkified(text: string): SafeHtml[] {
  return text.split(URL_IN_TEXT).map((part, index) => (index % 2 === 1 ? html`<a href="${part}">${part}</a>` : html`${part}`));
}

/**
 * GET /demo/mailbox: every e-mail (stamped in Japan time, as the customer reads them; long links wrap) the demo bank sent, as its local SMTP sink received it over real SMTP.
 * Registered only by `furikae demo`, which runs the sink; a bank with a real SMTP server has no such page.
 */
export function mailboxPage(app: FastifyInstance, sink: MailSink): void {
  app.get(MAILBOX_PATH, { schema: { hide: true } }, async (_request, reply) => {
    const mails = sink.messages().slice(-MAILBOX_MESSAGES_SHOWN_MAX).reverse();
    const body = html`<h1>デモ用メールボックス / Demo mailbox</h1>
<p class="banner-warn">デモ専用: 銀行が送ったメールを、ローカルのSMTPサーバー (${sink.url}) で受け取って表示しています。
Demo only: the bank sent these e-mails over SMTP to a local sink at ${sink.url}; nothing left this machine.</p>
${mails.length === 0 ? html`<p class="muted">まだメールはありません。 No mail yet: link an account or charge from the wallet.</p>` : ''}
${mails.map((mail) => html`<div class="card mail" data-purpose="${mail.purpose}">
<p><strong>${mail.subject}</strong></p>
<p class="muted">To: ${mail.envelope_to.join(', ')} · From: ${mail.from} · Received: ${jst(mail.received_at)} JST</p>
<pre class="wrap">${linkified(mail.text)}</pre></div>`)}`;
    return reply.type('text/html').header('cache-control', 'no-store').send(bankPage('Demo mailbox', body));
  });
}
