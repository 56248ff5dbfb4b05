import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import { auditVerificationPassed } from '../audit/format-audit-verification.ts';
import { html } from './html.ts';
import type { StaffGate } from './staff-gate.ts';
import { jst } from '../shared/japan-time.ts';
import { actorName, staffPage } from './staff-frame.ts';

/** Entries the audit page lists, newest first. */
export const AUDIT_ENTRIES_SHOWN = 200;

/** The audit log: the latest staff actions, and on request a walk of the whole chain against the key and the anchors. */
export async function staffAuditPage(app: FastifyInstance, services: BankServices, gate: StaffGate): Promise<void> {
  app.get<{ Querystring: { verify?: '1' } }>('/staff/audit', {
    schema: { querystring: Type.Object({ verify: Type.Optional(Type.Literal('1')) }) },
  }, async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    const [entries, staff] = await Promise.all([services.audit.list({ limit: AUDIT_ENTRIES_SHOWN }), services.staff.list()]);
    const names = new Map(staff.map((member) => [member.id, member.display_name]));
    // Walking the chain reads every entry, so it runs when asked rather than on every view.
    const verification = request.query.verify ? await services.audit.verify() : undefined;
    const verdict = !verification
      ? html`<p><a href="/staff/audit?verify=1">連鎖を検証 Verify the chain</a> <span class="muted">(or <code>furikae audit verify</code>)</span></p>`
      : verification.ok
        ? html`<p class="${auditVerificationPassed(verification) ? 'tag off' : 'banner-warn'}" id="audit-verdict" data-ok="${String(auditVerificationPassed(verification))}">${
          auditVerificationPassed(verification) ? 'OK' : 'UNANCHORED'}: ${verification.entries_count} entries, head ${verification.head_hash.slice(0, 16)}…, ${
          verification.anchored.latest ? `anchored up to #${verification.anchored.latest.seq}` : 'no anchor yet'}</p>`
        : html`<p class="banner-warn" id="audit-verdict" data-ok="false">BROKEN at entry #${verification.broken.seq} (${verification.broken.problem}) after ${verification.entries_count} good entries.</p>`;
    const body = html`<h1>監査ログ / Audit log</h1>
<p class="muted">Append-only: the database refuses updates and deletes; each entry's HMAC, under a key the database never holds, covers the previous entry's; the bank anchors the head outside the database every few minutes.</p>${verdict}
<table id="audit" class="wide"><thead><tr><th>#</th><th>Time (JST)</th><th>Staff</th><th>Action</th><th>Subject</th><th>Reason</th><th>Details</th></tr></thead><tbody>
${entries.map((entry) => html`<tr data-seq="${entry.seq}"><td>${entry.seq}</td><td class="nowrap">${jst(entry.at)}</td><td class="nowrap">${actorName(entry.staff_id, names)}</td>
<td><span class="code">${entry.action}</span></td><td class="nowrap"><code>${entry.subject.length > 12 ? `…${entry.subject.slice(-8)}` : entry.subject}</code></td><td>${entry.reason ?? ''}</td>
<td class="muted details"><code>${JSON.stringify(entry.details)}</code><br><span title="${entry.hash}">${entry.hash.slice(0, 12)}…</span></td></tr>`)}
</tbody></table>`;
    return reply.type('text/html').send(staffPage(context, 'Audit', '/staff/audit', body));
  });
}
