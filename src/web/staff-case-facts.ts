import type { Case } from '../cases/case.ts';
import type { Alert } from '../cases/alert.ts';
import type { CaseNote } from '../cases/case.ts';
import type { CaseCharge, CaseFacts, CaseLink } from '../cases/case-facts.ts';
import { CASE_CHARGES_SHOWN_MAX, CASE_OTHER_LINKS_SHOWN_MAX } from '../cases/case-facts.ts';
import { jst } from '../shared/japan-time.ts';
import { formatYen } from '../shared/yen.ts';
import { html, type SafeHtml } from './html.ts';
import { alertLabel } from './staff-alerts-page.ts';
import { heldChargeActions } from './staff-charges-page.ts';
import type { StaffContext } from './staff-gate.ts';

/** Said where the bank has no record, so an analyst knows the gap is in the data and not in the page. */
const NOT_RECORDED = html`<span class="muted" data-not-recorded>記録なし not recorded</span>`;

const STATUS_LABELS: Record<string, string> = {
  succeeded: '成立 succeeded', pending_approval: '本人確認待ち pending step-up', held: '保留 held for staff',
  declined: '拒否 declined', expired: '期限切れ expired', denied: '拒否 refused by risk',
};
const LINK_STATUS_CLASS: Record<string, string> = { active: 'off', revoked: '', frozen: 'on' };

const codes = (list: readonly string[] | null | undefined) =>
  list && list.length > 0 ? list.map((code) => html`<span class="code">${code}</span> `) : html`<span class="muted">—</span>`;
const codeOrNotRecorded = (value: string | null) => (value ? html`<code>${value}</code>` : NOT_RECORDED);
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
const orNotRecorded = (value: string | number | null | undefined) => (value === null || value === undefined || value === '' ? NOT_RECORDED : html`${value}`);

/** kyc.verified_at is epoch seconds (src/kyc/kyc-attestation.ts); anything else is shown as it was stored. */
function verifiedAt(value: string | null): SafeHtml | '' {
  if (value === null) return '';
  const seconds = Number(value);
  return Number.isSafeInteger(seconds) && seconds >= 0 ? html` · verified ${jst(new Date(seconds * 1000))} JST` : html` · verified ${value}`;
}

function methodCell(link: CaseLink): SafeHtml {
  if (link.method === 'legacy_pin') {
    return html`<span class="tag on" data-link-method="legacy_pin">legacy PIN</span> 口座番号と暗証番号だけで連携 account number and PIN only, no second factor`;
  }
  return html`<span class="tag off" data-link-method="fapi2">FAPI 2.0 + 2FA</span> 二段階認証で連携 approved by the customer with
${link.approved_with_factor ? html`<span class="code">${link.approved_with_factor}</span>` : NOT_RECORDED}`;
}

/** The disputed link: how it was made, who the operator said the customer was, and from where. */
function linkSection(link: CaseLink | null): SafeHtml {
  if (!link) return html`<h2>口座連携 Link</h2><p class="muted" id="case-link">この案件には口座連携がありません。 No link is named by this case. ${NOT_RECORDED}</p>`;
  const kyc = link.kyc_level
    ? html`<span class="code" data-kyc-level="${link.kyc_level}">${link.kyc_level}</span> by <span class="code">${orNotRecorded(link.kyc_method)}</span>${verifiedAt(link.kyc_verified_at)}`
    : html`${NOT_RECORDED}${link.method === 'legacy_pin' ? html` <span class="muted">(the legacy path carries no KYC attestation)</span>` : ''}`;
  const match = link.identity_match_score === null
    ? html`${NOT_RECORDED}${link.method === 'legacy_pin' ? html` <span class="muted">(only name and birth date were compared, as the PIN path does)</span>` : ''}`
    : html`<strong data-identity-score="${link.identity_match_score}">${link.identity_match_score} / 100</strong> ${codes(link.identity_match_reasons)}`;
  return html`<h2>口座連携 Link</h2>
<table id="case-link" data-link="${link.id}"><tbody>
<tr><th>事業者 Operator</th><td>${link.operator_name} · linked ${jst(link.created_at)} JST · <span class="tag ${LINK_STATUS_CLASS[link.status] ?? ''}" data-link-status="${link.status}">${link.status}</span>
${link.frozen_at ? html` · frozen ${jst(link.frozen_at)} JST` : ''}${link.revoked_at ? html` · revoked ${jst(link.revoked_at)} JST by ${link.revoked_by ?? '?'}` : ''}<br><code class="muted">${link.id}</code></td></tr>
<tr><th>連携方式 Method</th><td id="case-link-method">${methodCell(link)}</td></tr>
<tr><th>本人確認 KYC</th><td id="case-kyc">${kyc}</td></tr>
<tr><th>本人照合 Identity match</th><td id="case-identity-match">${match}</td></tr>
<tr><th>連携時の判定 Link-time risk</th><td>${link.link_decision ? html`<span class="decision-${link.link_decision}">${link.link_decision}</span> ${codes(link.link_reasons)}` : NOT_RECORDED}</td></tr>
</tbody></table>
<h3>端末と接続元 Device and source</h3>
<table id="case-source"><thead><tr><th></th><th>IP</th><th>Device id (X-Device-Id)</th><th>Around it</th></tr></thead><tbody>
<tr data-source="link"><td>連携時 At link</td><td>${codeOrNotRecorded(link.source_ip)}</td><td>${codeOrNotRecorded(link.device_id)}</td>
<td class="muted">${link.ip_links_24h === null ? NOT_RECORDED : html`${count(link.ip_links_24h, 'link')} from this IP in 24 h${link.device_links_24h === null ? '' : html` · ${count(link.device_links_24h, 'link')} from this device in 24 h`}${link.device_accounts_30d === null ? '' : html` · ${count(link.device_accounts_30d, 'account')} on this device in 30 days`}`}</td></tr>
</tbody></table>
<p class="muted">${link.method === 'legacy_pin' ? 'On the legacy path the IP is the operator’s server; the device is what the operator relayed.' : 'On the FAPI path the IP is the customer’s browser at consent.'} Each charge’s source is in the table below.</p>`;
}

/** Every charge through the link, refused and waiting ones included, with the decision and the rules that fired. */
function chargesSection(context: StaffContext, facts: CaseFacts): SafeHtml {
  const rows = facts.charges.map((charge: CaseCharge) => html`<tr data-charge="${charge.id}" data-status="${charge.status}"><td class="nowrap">${jst(charge.at)}</td><td>${charge.operator_name}</td>
<td class="yen">${formatYen(charge.amount_yen)}</td><td><span class="tag ${charge.status === 'succeeded' ? 'off' : 'on'}">${STATUS_LABELS[charge.status] ?? charge.status}</span>${charge.resolved_at ? html`<div class="since">${jst(charge.resolved_at)} by ${charge.resolved_by ?? '?'}</div>` : ''}</td>
<td>${charge.decision ? html`<span class="decision-${charge.decision}" data-decision="${charge.decision}">${charge.decision}</span>${charge.enforced === false ? html` <span class="muted">(observed only)</span>` : ''}` : NOT_RECORDED}</td>
<td>${codes(charge.reasons)}</td><td class="nowrap">${codeOrNotRecorded(charge.source_ip)}<br>${codeOrNotRecorded(charge.device_id)}</td><td>${heldChargeActions(context, charge)}</td></tr>`);
  return html`<h2>取引 Charges through this link</h2>
${facts.charges.length === 0 ? html`<p class="muted" id="case-charges">この連携での取引はありません。 No charge was attempted through this link.</p>` : html`<table class="wide" id="case-charges"><thead><tr><th>Time (JST)</th><th>Operator</th><th class="yen">Amount</th><th>Status</th><th>Decision</th><th>Rules hit</th><th>Source IP / device</th><th></th></tr></thead><tbody>
${rows}</tbody></table>`}
${facts.charges_more ? html`<p class="muted">Only the latest ${CASE_CHARGES_SHOWN_MAX} charges are shown; see <a href="/staff/charges">Charges</a> for the rest.</p>` : ''}`;
}

/** The customer's other links, each leading to its own case if there is one, or to the customer. */
function otherLinksSection(facts: CaseFacts, customer_id: string | null): SafeHtml {
  if (!customer_id) return html`<h2>お客さまの他の連携 Customer’s other links</h2><p class="muted" id="case-other-links">${NOT_RECORDED}: the case names no customer.</p>`;
  return html`<h2>お客さまの他の連携 Customer’s other links</h2>
${facts.other_links.length === 0 ? html`<p class="muted" id="case-other-links">他の連携はありません。 No other link.</p>` : html`<table id="case-other-links"><thead><tr><th>Operator</th><th>Method</th><th>Status</th><th>Linked (JST)</th><th></th></tr></thead><tbody>
${facts.other_links.map((link) => html`<tr data-other-link="${link.id}"><td>${link.operator_name}</td><td>${link.method === 'legacy_pin' ? html`<span class="tag on">legacy PIN</span>` : 'FAPI 2.0 + 2FA'}</td>
<td><span class="tag ${LINK_STATUS_CLASS[link.status] ?? ''}">${link.status}</span></td><td>${jst(link.created_at)}</td>
<td>${link.case_id ? html`<a href="/staff/cases/${link.case_id}">案件 Case →</a>` : html`<a href="/staff/customers/${customer_id}#link-${link.id}">顧客 Customer →</a>`}</td></tr>`)}</tbody></table>`}
${facts.other_links_more ? html`<p class="muted">Only the latest ${CASE_OTHER_LINKS_SHOWN_MAX} are shown.</p>` : ''}`;
}

interface TimelineEvent {
  at: Date;
  kind: string;
  what: SafeHtml;
}

/** Link, charges, notices, report, alerts, notes and the case's own steps, oldest first. */
function timelineSection(found: Case, facts: CaseFacts, alerts: readonly Alert[], notes: readonly CaseNote[]): SafeHtml {
  const events: TimelineEvent[] = [];
  const link = facts.link;
  // First, so a PIN try and the link it made, in the same instant, read in that order.
  for (const attempt of facts.pin_attempts) {
    events.push({ at: attempt.at, kind: attempt.outcome === 'failure' ? 'pin-failed' : 'pin-ok', what: html`${attempt.outcome === 'failure' ? html`<strong>暗証番号の誤り Wrong PIN</strong>` : '暗証番号一致 PIN accepted'} via ${attempt.operator_name ?? '?'} from ${codeOrNotRecorded(attempt.source_ip)} · device ${codeOrNotRecorded(attempt.device_id)}` });
  }
  if (link) {
    events.push({ at: link.created_at, kind: 'link', what: html`口座連携 Linked to ${link.operator_name} (${link.method === 'legacy_pin' ? 'legacy PIN' : 'FAPI 2.0 + 2FA'}) from ${codeOrNotRecorded(link.source_ip)}` });
    if (link.frozen_at) events.push({ at: link.frozen_at, kind: 'frozen', what: html`連携停止 Link frozen` });
    if (link.revoked_at) events.push({ at: link.revoked_at, kind: 'revoked', what: html`連携解除 Link revoked by ${link.revoked_by ?? '?'}` });
  }
  for (const charge of facts.charges) {
    events.push({ at: charge.at, kind: 'charge', what: html`取引 ${formatYen(charge.amount_yen)} — ${STATUS_LABELS[charge.status] ?? charge.status}${charge.reasons.length > 0 ? html` · ${codes(charge.reasons)}` : ''}` });
    if (charge.resolved_at) events.push({ at: charge.resolved_at, kind: 'charge-settled', what: html`取引 ${formatYen(charge.amount_yen)} settled: ${STATUS_LABELS[charge.status] ?? charge.status} by ${charge.resolved_by ?? '?'}` });
  }
  for (const notice of facts.notices) {
    events.push({ at: notice.created_at, kind: 'notice', what: html`通知 Notice <span class="code">${notice.template}</span> by ${notice.channel} — ${notice.status}${notice.sent_at ? html` (sent ${jst(notice.sent_at)})` : ''}${notice.link_id ? '' : html` <span class="muted">(not about a link)</span>`}` });
  }
  for (const report of facts.reports) {
    events.push({ at: report.reported_at, kind: 'not-me', what: html`<strong>「身に覚えがない」 "Not me" reported</strong>${report.charge_id ? ' from a charge notice' : ' from the link notice'} · link was ${report.link_status_before}` });
  }
  for (const alert of alerts) events.push({ at: alert.at, kind: 'alert', what: html`アラート ${alertLabel(alert.kind)} <span class="sev-${alert.severity}">${alert.severity}</span>` });
  events.push({ at: found.opened_at, kind: 'case', what: html`案件開始 Case opened by ${found.opened_by}` });
  for (const note of notes) events.push({ at: note.at, kind: 'note', what: html`メモ Note by ${note.staff_name}` });
  if (found.resolved_at) events.push({ at: found.resolved_at, kind: 'resolved', what: html`結論 Resolved: ${found.resolution ?? ''}` });
  events.sort((a, b) => a.at.getTime() - b.at.getTime());
  return html`<h2>経緯 Timeline</h2>
<table class="wide" id="case-timeline"><tbody>${events.map((event) => html`<tr data-event="${event.kind}"><td class="nowrap">${jst(event.at)}</td><td><span class="tag">${event.kind}</span></td><td>${event.what}</td></tr>`)}</tbody></table>
${facts.notices.length === 0 ? html`<p class="muted">通知 Notices: ${NOT_RECORDED} for this link.</p>` : ''}`;
}

/** The facts of a case, in the order an analyst reads them: the link, its charges, the other links, the timeline. */
export function caseFactsSections(context: StaffContext, found: Case, facts: CaseFacts, alerts: readonly Alert[], notes: readonly CaseNote[]): SafeHtml {
  return html`${linkSection(facts.link)}${chargesSection(context, facts)}${otherLinksSection(facts, found.customer_id)}${timelineSection(found, facts, alerts, notes)}`;
}
