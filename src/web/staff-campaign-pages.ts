import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import type { Incident } from '../incidents/incident.ts';
import { campaignOutstanding, type Campaign, type CampaignSegment } from '../outreach/campaign.ts';
import { CAMPAIGN_MESSAGE_CHARS_MAX } from '../outreach/campaign-message.ts';
import { CAMPAIGN_REASON_CHARS_MAX, type CampaignMove } from '../outreach/campaigns.ts';
import { segmentLabel } from '../outreach/campaign-segments.ts';
import { renderEmail } from '../notify/notice-templates.ts';
import { createScanReader } from '../scan/scan-read-api.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { jst } from '../shared/japan-time.ts';
import { roleAllows } from '../staff/staff-role.ts';
import { html, type SafeHtml } from './html.ts';
import { backTo, csrfField, sendStaffRefusal, type StaffContext, type StaffGate } from './staff-gate.ts';
import { staffPage } from './staff-frame.ts';
import { staffServiceAction } from './staff-service-action.ts';

const UUID_PARAMS = Type.Object({ id: Type.String({ format: 'uuid' }) });
const CSRF = Type.Optional(Type.String({ maxLength: 100 }));
const STATUS_LABELS: Record<Campaign['status'], string> = {
  enqueuing: '作成中 writing', running: '送信中 sending', paused: '一時停止 paused', cancelled: '中止 cancelled', completed: '完了 completed',
};
/** What staff may do from each status, as buttons. */
const MOVES_FROM: Record<Campaign['status'], CampaignMove[]> = { enqueuing: ['cancel'], running: ['pause', 'cancel'], paused: ['resume', 'cancel'], cancelled: [], completed: [] };
const MOVE_LABELS: Record<CampaignMove, string> = { pause: '一時停止 Pause', resume: '再開 Resume', cancel: '中止 Cancel' };

/** The segment a form names, from its fields. */
function segmentFrom(fields: { segment?: string; operator_id?: string; scan_id?: string }): CampaignSegment | undefined {
  if (fields.segment === 'operator' && fields.operator_id) return { kind: 'operator', operator_id: fields.operator_id };
  if (fields.segment === 'legacy_pin') return { kind: 'legacy_pin' };
  if (fields.segment === 'scan' && fields.scan_id) return { kind: 'scan', scan_id: fields.scan_id };
  return undefined;
}

function moveForms(context: StaffContext, campaign: Campaign): SafeHtml {
  if (!roleAllows(context.staff.role, 'admin')) return html``;
  return html`${MOVES_FROM[campaign.status].map((move) => html`<form method="post" action="/staff/campaigns/${campaign.id}/${move}" class="actions">${csrfField(context)}
<input name="reason" required maxlength="${CAMPAIGN_REASON_CHARS_MAX}" placeholder="理由 Reason" class="reason-small">
<button type="submit" class="${move === 'cancel' ? 'danger' : 'secondary'}" data-action="${move}-campaign">${MOVE_LABELS[move]}</button></form>`)}`;
}

/**
 * The incident page's outreach section: each campaign with its progress and delivery counts (the page reloads
 * itself while one is live), an admin's pause, resume and cancel, and the way to a new campaign.
 */
export async function campaignSection(services: BankServices, context: StaffContext, incident: Incident): Promise<{ html: SafeHtml; live: boolean }> {
  const campaigns = await services.campaigns.listForIncident(incident.id);
  const progress = await Promise.all(campaigns.map((campaign) => services.campaigns.progress(campaign.id)));
  const live = campaigns.some((campaign) => campaign.status === 'enqueuing' || campaign.status === 'running');
  const body = html`<h2 id="outreach">お客さまへの通知 Customer outreach</h2>
${campaigns.length === 0 ? html`<p class="muted">通知はまだありません No campaign yet</p>` : html`<table class="wide" id="campaigns"><thead><tr><th>開始 Started (JST)</th><th>対象 Segment</th><th>状態 Status</th><th>進捗 Progress</th><th>件数 Counts</th><th></th></tr></thead><tbody>
${campaigns.map((campaign, index) => {
    const settled = campaign.enqueued_count - campaignOutstanding(campaign);
    const p = progress[index];
    return html`<tr data-campaign="${campaign.id}" data-status="${campaign.status}"><td class="nowrap">${jst(campaign.created_at)}</td>
<td>${segmentLabel(campaign.segment_kind)}<br><span class="muted">${campaign.passbook_labels.map((label) => `「${label}」`).join(' ')}</span></td>
<td><span class="tag ${campaign.status === 'completed' ? 'off' : 'on'}">${STATUS_LABELS[campaign.status]}</span></td>
<td>${campaign.status === 'enqueuing' ? html`<span class="muted">通知を作成中 writing notices…</span>` : html`<progress max="${Math.max(1, campaign.enqueued_count)}" value="${settled}"></progress> ${settled.toLocaleString('en-US')} / ${campaign.enqueued_count.toLocaleString('en-US')}`}</td>
<td class="muted" data-counts>送信 sent ${campaign.sent_count.toLocaleString('en-US')} · 失敗 failed ${campaign.failed_count} · 不明 uncertain ${campaign.uncertain_count}
· 中止 cancelled ${campaign.cancelled_count.toLocaleString('en-US')} · 送信中 sending ${p?.sending ?? 0} · 待機 waiting ${(p?.waiting ?? 0).toLocaleString('en-US')}</td>
<td>${moveForms(context, campaign)}</td></tr>`;
  })}</tbody></table>`}
${incident.status !== 'closed' && roleAllows(context.staff.role, 'admin') ? html`<p><a class="tag on" href="/staff/incidents/${incident.id}/campaigns/new" data-action="new-campaign">通知を作成 New campaign →</a></p>` : ''}`;
  return { html: body, live };
}

/** A sample of the notice as a customer would read it, with made-up customer details. */
function sampleNotice(labels: string[], message_ja: string, message_en: string): string {
  const { subject, text } = renderEmail({
    template: 'campaign_notice',
    data: {
      campaign_id: 'sample', passbook_labels: labels, message_ja, message_en,
      services: [{ operator_name: 'ドコモ口座', passbook_label: 'ドコモ口座', branch_code: '101', account_masked: '****567', status: 'active' }],
    },
  }, { customer_name: '見本 太郎' });
  return `件名 Subject: ${subject}\n\n${text}`;
}

/** Outreach in the console: the new-campaign form with the segment's size and a sample notice, and the admin's moves. */
export async function staffCampaignPages(app: FastifyInstance, services: BankServices, gate: StaffGate): Promise<void> {
  app.get<{ Params: { id: string }; Querystring: { segment?: string; operator_id?: string; scan_id?: string; labels?: string; message_ja?: string; message_en?: string } }>(
    '/staff/incidents/:id/campaigns/new', {
      schema: {
        params: UUID_PARAMS,
        querystring: Type.Object({
          segment: Type.Optional(Type.String({ maxLength: 20 })), operator_id: Type.Optional(Type.String({ maxLength: 64 })), scan_id: Type.Optional(Type.String({ maxLength: 64 })),
          labels: Type.Optional(Type.String({ maxLength: 400 })), message_ja: Type.Optional(Type.String({ maxLength: 2 * CAMPAIGN_MESSAGE_CHARS_MAX })),
          message_en: Type.Optional(Type.String({ maxLength: 2 * CAMPAIGN_MESSAGE_CHARS_MAX })),
        }),
      },
    }, async (request, reply) => {
      const context = await gate.page(request, reply);
      if (!context) return reply;
      const incident = await services.incidents.get(request.params.id);
      if (!incident) return sendStaffRefusal(reply, 'incident_not_found');
      const operators = (await services.operators.list()).filter((o) => incident.operator_ids.length === 0 || incident.operator_ids.includes(o.id));
      const scans = (await createScanReader(services.db).listScans({ incident_id: incident.id })).filter((scan) => scan.status === 'done');
      const query = request.query;
      const segment = segmentFrom(query) ?? (operators[0] ? { kind: 'operator' as const, operator_id: operators[0].id } : { kind: 'legacy_pin' as const });
      let size: number | string;
      try {
        size = await services.campaigns.segmentSize(incident.id, segment);
      } catch (error) {
        if (!(error instanceof FurikaeError)) throw error;
        size = error.message;
      }
      const labels = (query.labels ?? (segment.kind === 'operator' ? operators.find((o) => o.id === segment.operator_id)?.passbook_label : operators.map((o) => o.passbook_label).join(', ')) ?? '')
        .split(',').map((label) => label.trim()).filter(Boolean);
      const form = (action: string, method: 'get' | 'post', submit: SafeHtml) => html`<form method="${method}" action="${action}" class="card">${method === 'post' ? csrfField(context) : ''}
<fieldset><legend>対象 Segment</legend>
<label class="inline"><input type="radio" name="segment" value="operator" ${segment.kind === 'operator' ? 'checked' : ''}> ${segmentLabel('operator')}:</label>
<select name="operator_id" aria-label="operator">${operators.map((o) => html`<option value="${o.id}" ${segment.kind === 'operator' && segment.operator_id === o.id ? 'selected' : ''}>${o.display_name}</option>`)}</select><br>
<label class="inline"><input type="radio" name="segment" value="legacy_pin" ${segment.kind === 'legacy_pin' ? 'checked' : ''}> ${segmentLabel('legacy_pin')}</label><br>
<label class="inline"><input type="radio" name="segment" value="scan" ${segment.kind === 'scan' ? 'checked' : ''}> ${segmentLabel('scan')}:</label>
<select name="scan_id" aria-label="scan">${scans.length === 0 ? html`<option value="">この事案のスキャンはまだありません no scan of this incident yet</option>` : ''}
${scans.map((scan) => html`<option value="${scan.id}" ${segment.kind === 'scan' && segment.scan_id === scan.id ? 'selected' : ''}>${jst(scan.started_at)} · ${scan.from_date} – ${scan.to_date} · ${scan.suspect_customers.toLocaleString('en-US')} customers</option>`)}</select></fieldset>
<label for="labels">確認を依頼する通帳の摘要 Passbook labels to look for (comma-separated)</label><input id="labels" name="labels" value="${labels.join(', ')}" class="long">
<label for="message_ja">追加の文面（日本語） Added message, Japanese</label><textarea id="message_ja" name="message_ja" maxlength="${CAMPAIGN_MESSAGE_CHARS_MAX}">${query.message_ja ?? ''}</textarea>
<label for="message_en">Added message, English</label><textarea id="message_en" name="message_en" maxlength="${CAMPAIGN_MESSAGE_CHARS_MAX}">${query.message_en ?? ''}</textarea>
<p class="muted">リンク・メールアドレス・当行以外の電話番号は書けません。 No link, address or phone number but the bank's: notices never carry one.</p>${submit}</form>`;
      const body = html`<h1>通知キャンペーン / New campaign</h1><p class="muted">インシデント Incident: <a href="/staff/incidents/${incident.id}">${incident.title}</a></p>
${form(`/staff/incidents/${incident.id}/campaigns/new`, 'get', html`<button type="submit" class="secondary" data-action="preview-campaign">対象と文面を確認 Preview</button>`)}
<div class="card" id="campaign-preview"><p>対象 Customers in the segment: <strong data-segment-size>${typeof size === 'number' ? size.toLocaleString('en-US') : size}</strong></p>
<pre class="wrap" id="sample-notice">${sampleNotice(labels.length > 0 ? labels : ['—'], query.message_ja ?? '', query.message_en ?? '')}</pre></div>
${roleAllows(context.staff.role, 'admin') ? form(`/staff/incidents/${incident.id}/campaigns`, 'post', html`<button type="submit" class="danger" data-action="start-campaign">この内容で送信開始 Start sending</button>`)
    : html`<p class="muted">送信開始は管理者のみ Only an admin starts a campaign.</p>`}`;
      return reply.type('text/html').send(staffPage(context, 'New campaign', '/staff/incidents', body));
    });

  app.post<{ Params: { id: string }; Body: { csrf?: string; segment?: string; operator_id?: string; scan_id?: string; labels?: string; message_ja?: string; message_en?: string } }>(
    '/staff/incidents/:id/campaigns', {
      schema: {
        params: UUID_PARAMS,
        body: Type.Object({
          csrf: CSRF, segment: Type.Optional(Type.String({ maxLength: 20 })), operator_id: Type.Optional(Type.String({ maxLength: 64 })), scan_id: Type.Optional(Type.String({ maxLength: 64 })),
          labels: Type.Optional(Type.String({ maxLength: 400 })), message_ja: Type.Optional(Type.String({ maxLength: 2 * CAMPAIGN_MESSAGE_CHARS_MAX })),
          message_en: Type.Optional(Type.String({ maxLength: 2 * CAMPAIGN_MESSAGE_CHARS_MAX })),
        }),
      },
    }, async (request, reply) => {
      const context = await gate.action(request, reply, 'admin');
      if (!context) return reply;
      const segment = segmentFrom(request.body);
      if (!segment) return sendStaffRefusal(reply, 'campaign_segment_empty', 'Choose a segment: an operator, legacy-PIN links, or a scan');
      const labels = (request.body.labels ?? '').split(',').map((label) => label.trim()).filter(Boolean);
      return staffServiceAction(reply, () => services.campaigns.create({
        incident_id: request.params.id, segment, ...(labels.length > 0 ? { passbook_labels: labels } : {}),
        message_ja: request.body.message_ja ?? '', message_en: request.body.message_en ?? '',
      }, context.staff.id), `/staff/incidents/${request.params.id}#outreach`);
    });

  app.post<{ Params: { id: string; move: CampaignMove }; Body: { csrf?: string; reason?: string } }>('/staff/campaigns/:id/:move', {
    schema: {
      params: Type.Object({ id: Type.String({ format: 'uuid' }), move: Type.Union([Type.Literal('pause'), Type.Literal('resume'), Type.Literal('cancel')]) }),
      body: Type.Object({ csrf: CSRF, reason: Type.Optional(Type.String({ maxLength: 4 * CAMPAIGN_REASON_CHARS_MAX })) }),
    },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'admin');
    if (!context) return reply;
    return staffServiceAction(reply, () => services.campaigns.move(request.params.id, request.params.move, context.staff.id, request.body.reason ?? ''),
      `${backTo(request.headers.referer, '/staff/incidents')}#outreach`);
  });
}
