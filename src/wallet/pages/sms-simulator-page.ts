import { html } from '../../web/html.ts';
import type { SimulatedSms } from '../../notify/sms-simulator.ts';
import { formatTokyoTime, renderPage, type PageFrame } from './page-layout.ts';

/** The wallet's SMS simulator inbox: every text the wallet "sent", codes included. Demo only. */
export function renderSmsSimulatorPage(frame: PageFrame, model: { messages: SimulatedSms[] }): string {
  return renderPage(frame, html`
<p class="warning" role="alert">デモ専用: 実際のSMSは送信されていません。これはウォレットのSMSゲートウェイのシミュレーターです（銀行のものとは別）。
<br><span class="plain">Demo only: no SMS was sent. These are the texts the wallet's own gateway would have sent (not the bank's).</span></p>
<section class="card">
${model.messages.length === 0
    ? html`<p class="muted" id="sms-empty">まだありません / None yet.</p>`
    : html`<table id="sms"><thead><tr><th>宛先 / To</th><th>日時 / When</th><th>本文 / Text</th></tr></thead>
      <tbody>${model.messages.map((message) => html`<tr><td>${message.to_phone}</td><td>${formatTokyoTime(message.sent_at)}</td><td>${message.text}</td></tr>`)}</tbody></table>`}
</section>
`);
}
