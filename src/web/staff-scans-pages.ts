import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import { errorCodes, type ErrorCode } from '../errors/error-codes.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { toProblem } from '../errors/problem.ts';
import { jst } from '../shared/japan-time.ts';
import { formatYen } from '../shared/yen.ts';
import { roleAllows } from '../staff/staff-role.ts';
import { createScanner, SCAN_CUSTOMERS_PER_CHUNK, SCAN_CUSTOMERS_PER_CHUNK_MAX } from '../scan/scanner.ts';
import { createScanReader, SUSPECT_KINDS, SUSPECT_SORTS, SUSPECTS_PAGE_MAX, type SuspectKind, type SuspectRow } from '../scan/scan-read-api.ts';
import { scanCsv } from '../scan/scan-csv.ts';
import { openScanCases, SCAN_CASES_PER_OPENING_MAX } from '../scan/open-scan-cases.ts';
import type { Scan } from '../scan/scan.ts';
import { html, raw } from './html.ts';
import { bankPage } from './layout.ts';
import { csrfField, type StaffContext, type StaffGate } from './staff-gate.ts';
import { staffPage } from './staff-frame.ts';

const CSRF = Type.Optional(Type.String({ maxLength: 100 }));
const UUID_PARAMS = Type.Object({ id: Type.String({ maxLength: 64 }) });
/** How often the scan page asks for progress while a scan runs. */
export const SCAN_PROGRESS_POLL_MS = 1000;

/** The browser half of live progress, served as a file (no inline script): polls the progress URL and redraws the bar. */
const LIVE_PROGRESS_SCRIPT = `(() => {
  const box = document.querySelector('[data-scan-progress]');
  if (!box) return;
  const bar = box.querySelector('progress');
  const text = box.querySelector('[data-progress-text]');
  const tick = async () => {
    const answer = await fetch(box.dataset.scanProgress, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    if (!answer.ok) { text.textContent = 'progress unavailable (' + answer.status + ')'; return; }
    const p = await answer.json();
    bar.max = Math.max(1, p.chunks_total); bar.value = p.chunks_done;
    text.textContent = p.chunks_done + ' / ' + p.chunks_total + ' chunks · ' + p.charges_scanned.toLocaleString('en-US') + ' charges · ' + p.suspect_charges + ' suspect';
    box.dataset.status = p.status;
    if (p.status === 'running') setTimeout(tick, ${SCAN_PROGRESS_POLL_MS});
    else location.reload();
  };
  setTimeout(tick, ${SCAN_PROGRESS_POLL_MS});
})();
(() => {
  const form = document.querySelector('form[data-scan-start]');
  if (!form) return;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = form.querySelector('[data-scan-error]');
    error.textContent = '';
    const answer = await fetch(form.action, { method: 'POST', credentials: 'same-origin',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(new FormData(form)) });
    const body = await answer.json();
    if (answer.ok) location.assign('/staff/scans/' + body.scan_id);
    else { error.textContent = body.title + (body.detail ? ': ' + body.detail : ''); error.dataset.code = body.code; }
  });
})();`;

const STATUS_LABELS = { running: '実行中 running', done: '完了 done', failed: '失敗 failed' } as const;
const KIND_LABELS: Record<SuspectKind, string> = { links: '口座連携 Links', charges: '取引 Charges', customers: '顧客 Customers' };

/** Column headers of each kind's table: [label, sort key or undefined, css class]. */
const COLUMNS: Record<SuspectKind, Array<[string, string | undefined, string]>> = {
  links: [['', undefined, ''], ['Score', 'score', 'yen'], ['Customer', 'customer', ''], ['Operator', 'operator', ''], ['Linked (JST)', 'time', ''], ['Today', undefined, ''],
    ['Charges', 'charges', 'yen'], ['Suspect yen', 'yen', 'yen'], ['Reasons', undefined, ''], ['Case', undefined, '']],
  charges: [['Score', 'score', 'yen'], ['Customer', 'customer', ''], ['Operator', 'operator', ''], ['Charged (JST)', 'time', ''], ['Amount', 'yen', 'yen'], ['Today', undefined, ''], ['Reasons', undefined, '']],
  customers: [['Score', 'score', 'yen'], ['Customer', 'customer', ''], ['Links', 'links', 'yen'], ['Charges', 'charges', 'yen'], ['Suspect yen', 'yen', 'yen'], ['Reasons', undefined, '']],
};

/** Whether the caller asked for JSON (the page's own script) rather than a page. */
function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('application/json');
}

/** A scan refusal: problem+json for the page's script, a console error page otherwise. Nothing was changed. */
function refuse(request: FastifyRequest, reply: FastifyReply, code: ErrorCode, detail: string): FastifyReply {
  const { status, title } = errorCodes[code];
  if (wantsJson(request)) return reply.status(status).type('application/problem+json').send(toProblem(code, detail));
  const body = html`<h1>できません / Refused</h1><div class="card"><p class="error" role="alert" data-code="${code}">${title}</p><p>${detail}</p>
<p class="muted">code: <code>${code}</code></p><p><a href="/staff/scans">← Scans</a></p></div>`;
  return reply.status(status).type('text/html').send(bankPage('Refused', body));
}

function progressOf(scan: Scan) {
  return { scan_id: scan.id, status: scan.status, chunks_done: scan.chunks_done, chunks_total: scan.chunks_total, charges_scanned: scan.charges_scanned,
    suspect_charges: scan.suspect_charges, failure: scan.failure };
}

function statusCell(scan: Scan) {
  if (scan.status === 'running') {
    return html`<span class="tag on" data-scan-status="running">${STATUS_LABELS.running}</span> <progress max="${Math.max(1, scan.chunks_total)}" value="${scan.chunks_done}"></progress>`;
  }
  return html`<span class="tag ${scan.status === 'done' ? 'off' : 'on'}" data-scan-status="${scan.status}">${STATUS_LABELS[scan.status]}</span>`;
}

function startForm(context: StaffContext, operators: Array<{ id: string; display_name: string }>) {
  if (!roleAllows(context.staff.role, 'analyst')) return html`<p class="muted">スキャンの実行は分析担当以上 Starting a scan needs the analyst role.</p>`;
  return html`<div class="card"><form method="post" action="/staff/scans" data-scan-start>${csrfField(context)}
<div class="actions"><div><label for="scan-from">開始日 From (JST)</label><input id="scan-from" name="from" type="date" required class="narrow"></div>
<div><label for="scan-to">終了日 To (JST, inclusive)</label><input id="scan-to" name="to" type="date" required class="narrow"></div>
<div><label for="scan-operator">事業者 Operator</label><select id="scan-operator" name="operator"><option value="">すべて All operators</option>
${operators.map((operator) => html`<option value="${operator.id}">${operator.display_name}</option>`)}</select></div>
<div><label for="scan-incident">インシデント Incident id (optional)</label><input id="scan-incident" name="incident" maxlength="64" class="medium"></div></div>
<details><summary class="muted">詳細設定 Advanced</summary><label for="scan-chunk">顧客数/チャンク Customers per chunk</label>
<input id="scan-chunk" name="chunk_customers" type="number" min="1" max="${SCAN_CUSTOMERS_PER_CHUNK_MAX}" placeholder="${SCAN_CUSTOMERS_PER_CHUNK}" class="narrow">
<p class="muted">Smaller chunks report progress more often and weigh less on a busy database.</p></details>
<p class="error" role="alert" data-scan-error></p>
<button type="submit" data-action="start-scan">スキャン開始 Start scan</button>
<p class="muted">Re-evaluates every link and charge in the window with today's rules and the scan typologies (at most 10 years; one scan at a time).</p></form></div>`;
}

function suspectCells(kind: SuspectKind, row: SuspectRow, context: StaffContext) {
  const reasons = html`<td>${row.reasons.map((code) => html`<span class="code">${code}</span> `)}</td>`;
  const customer = html`<td><a href="/staff/customers/${row.customer_id}">${row.customer_name}</a></td>`;
  const today = html`<td class="decision-${row.decision}">${row.decision}</td>`;
  if (kind === 'links') {
    const pick = roleAllows(context.staff.role, 'analyst') && !row.case_id
      ? html`<input type="checkbox" name="link_ids" value="${row.link_id}" form="open-cases" aria-label="select link" class="auto">` : '';
    return html`<td>${pick}</td><td class="yen">${row.score}</td>${customer}<td>${row.operator_name}</td><td class="nowrap">${jst(row.linked_at)}</td>${today}
<td class="yen">${row.charges_count}</td><td class="yen">${formatYen(row.charged_yen ?? 0)}</td>${reasons}
<td>${row.case_id ? html`<a href="/staff/cases/${row.case_id}" data-case="${row.case_id}">案件 case</a>` : ''}</td>`;
  }
  if (kind === 'charges') {
    return html`<td class="yen">${row.score}</td>${customer}<td>${row.operator_name}</td><td class="nowrap">${jst(row.charged_at)}</td>
<td class="yen">${formatYen(row.amount_yen ?? 0)}</td>${today}${reasons}`;
  }
  return html`<td class="yen">${row.score}</td>${customer}<td class="yen">${row.links_count}</td><td class="yen">${row.charges_count}</td>
<td class="yen">${formatYen(row.charged_yen ?? 0)}</td>${reasons}`;
}

/**
 * The console's retrospective scans: the list with a start form, one scan with live progress, totals per operator
 * and month, its suspects (links, charges, customers) sortable and paged, CSV downloads, and bulk case opening.
 * Starting a scan and opening cases need the analyst role and are audited.
 */
export async function staffScansPages(app: FastifyInstance, services: BankServices, gate: StaffGate): Promise<void> {
  const scanner = createScanner({ db: services.db, clock: services.clock, ids: services.ids, log: services.log.child({ part: 'scan' }), pipeline: services.risk, audit: services.audit });
  const reader = createScanReader(services.db);
  app.addHook('onClose', () => scanner.stop());

  app.get('/staff/scans/live.js', async (_request, reply) => reply.type('application/javascript; charset=utf-8').send(LIVE_PROGRESS_SCRIPT));

  app.get('/staff/scans', async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    const [scans, operators] = await Promise.all([reader.listScans(), services.operators.list()]);
    const names = new Map(operators.map((operator) => [operator.id, operator.display_name]));
    const body = html`<h1>遡及スキャン / Retrospective scans</h1>${startForm(context, operators)}
<table class="wide" id="scans"><thead><tr><th>Started (JST)</th><th>Window</th><th>Operator</th><th>Status</th><th class="yen">Charges scanned</th>
<th class="yen">Suspect links</th><th class="yen">Suspect yen</th><th>Incident</th></tr></thead><tbody>
${scans.length === 0 ? html`<tr><td colspan="8" class="muted">なし None yet</td></tr>` : scans.map((scan) => html`<tr data-scan="${scan.id}"><td class="nowrap"><a href="/staff/scans/${scan.id}">${jst(scan.started_at)}</a></td>
<td class="nowrap">${scan.from_date} – ${scan.to_date}</td><td>${scan.operator_id ? names.get(scan.operator_id) ?? scan.operator_id : 'all'}</td><td>${statusCell(scan)}</td>
<td class="yen">${scan.charges_scanned.toLocaleString('en-US')}</td><td class="yen">${scan.suspect_links}</td><td class="yen">${formatYen(scan.suspect_yen)}</td>
<td>${scan.incident_id ? html`<code>${scan.incident_id.slice(0, 8)}</code>` : ''}</td></tr>`)}</tbody></table>
<script src="/staff/scans/live.js" defer></script>`;
    return reply.type('text/html').send(staffPage(context, 'Scans', '/staff/scans', body));
  });

  app.post<{ Body: { csrf?: string; from?: string; to?: string; operator?: string; incident?: string; chunk_customers?: string } }>('/staff/scans', {
    schema: { body: Type.Object({ csrf: CSRF, from: Type.Optional(Type.String({ maxLength: 32 })), to: Type.Optional(Type.String({ maxLength: 32 })),
      operator: Type.Optional(Type.String({ maxLength: 128 })), incident: Type.Optional(Type.String({ maxLength: 64 })),
      chunk_customers: Type.Optional(Type.String({ maxLength: 16 })) }) },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'analyst');
    if (!context) return reply;
    try {
      const { scan } = await scanner.start({
        from: request.body.from ?? '', to: request.body.to ?? '', operator: request.body.operator || null, incident_id: request.body.incident || null,
        started_by: { staff_id: context.staff.id },
        ...(request.body.chunk_customers ? { customers_per_chunk: Number(request.body.chunk_customers) } : {}),
      });
      if (wantsJson(request)) return reply.status(202).send({ scan_id: scan.id, status: scan.status, chunks_total: scan.chunks_total });
      return reply.redirect(`/staff/scans/${scan.id}`, 303);
    } catch (error) {
      if (error instanceof FurikaeError) return refuse(request, reply, error.code, error.message);
      throw error;
    }
  });

  app.get<{ Params: { id: string } }>('/staff/scans/:id/progress', { schema: { params: UUID_PARAMS } }, async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    const scan = await reader.getScan(request.params.id);
    if (!scan) return refuse(request, reply, 'scan_not_found', `No scan ${request.params.id}`);
    return reply.header('cache-control', 'no-store').send(progressOf(scan));
  });

  app.get<{ Params: { id: string }; Querystring: { kind?: string } }>('/staff/scans/:id/suspects.csv', {
    schema: { params: UUID_PARAMS, querystring: Type.Object({ kind: Type.Optional(Type.String({ maxLength: 16 })) }) },
  }, async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    const scan = await reader.getScan(request.params.id);
    if (!scan) return refuse(request, reply, 'scan_not_found', `No scan ${request.params.id}`);
    const kind = (SUSPECT_KINDS as readonly string[]).includes(request.query.kind ?? '') ? request.query.kind as SuspectKind : 'charges';
    return reply.type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="scan-${scan.from_date}-${scan.to_date}-${kind}.csv"`)
      .send(Readable.from(scanCsv(reader, scan.id, kind)));
  });

  app.get<{ Params: { id: string }; Querystring: { kind?: string; sort?: string; dir?: string; page?: string; opened?: string } }>('/staff/scans/:id', {
    schema: { params: UUID_PARAMS, querystring: Type.Object({ kind: Type.Optional(Type.String({ maxLength: 16 })), sort: Type.Optional(Type.String({ maxLength: 16 })),
      dir: Type.Optional(Type.String({ maxLength: 4 })), page: Type.Optional(Type.String({ maxLength: 8 })), opened: Type.Optional(Type.String({ maxLength: 8 })) }) },
  }, async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    const scan = await reader.getScan(request.params.id);
    if (!scan) return refuse(request, reply, 'scan_not_found', `No scan ${request.params.id}`);
    const kind = (SUSPECT_KINDS as readonly string[]).includes(request.query.kind ?? '') ? request.query.kind as SuspectKind : 'links';
    const sort = request.query.sort && request.query.sort in SUSPECT_SORTS[kind] ? request.query.sort : 'score';
    const direction = request.query.dir === 'asc' ? 'asc' : 'desc';
    const page = Math.max(1, Math.min(100_000, Number.parseInt(request.query.page ?? '1', 10) || 1));
    const [suspects, totals, operators] = await Promise.all([
      reader.suspects(scan.id, kind, { sort, direction, limit: SUSPECTS_PAGE_MAX, offset: (page - 1) * SUSPECTS_PAGE_MAX }),
      reader.totals(scan.id),
      services.operators.list(),
    ]);
    const operatorName = scan.operator_id ? operators.find((operator) => operator.id === scan.operator_id)?.display_name ?? scan.operator_id : 'all operators';
    const link = (params: Record<string, string | number>) => `/staff/scans/${scan.id}?${new URLSearchParams({ kind, sort, dir: direction, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) })}`;
    const header = ([label, key, css]: [string, string | undefined, string]) => {
      if (!key) return html`<th class="${css}">${label}</th>`;
      const here = key === sort;
      const next = here && direction === 'desc' ? 'asc' : 'desc';
      return html`<th class="${css}" aria-sort="${here ? (direction === 'asc' ? 'ascending' : 'descending') : 'none'}"><a href="${link({ sort: key, dir: next, page: 1 })}" data-sort="${key}">${label}${here ? (direction === 'asc' ? ' ▲' : ' ▼') : ''}</a></th>`;
    };
    const pages = Math.max(1, Math.ceil(suspects.total / SUSPECTS_PAGE_MAX));
    const suspectMonths = totals.filter((total) => total.suspect_charges > 0);
    const analyst = roleAllows(context.staff.role, 'analyst');
    const body = html`<h1>遡及スキャン / Scan ${scan.from_date} – ${scan.to_date}</h1>
<div class="card"><p>${statusCell(scan)} · ${operatorName} · started ${jst(scan.started_at)} JST by ${scan.started_by === 'cli' ? 'CLI' : 'staff'}
${scan.finished_at ? html` · finished ${jst(scan.finished_at)} JST` : ''} · rules <span class="code">${scan.risk_config_id}</span> + <span class="code">${scan.scan_config_id}</span>
${scan.incident_id ? html` · incident <code>${scan.incident_id}</code>` : ''}</p>
${scan.status === 'running' ? html`<div data-scan-progress="/staff/scans/${scan.id}/progress" data-status="running"><progress max="${Math.max(1, scan.chunks_total)}" value="${scan.chunks_done}" class="full"></progress>
<p class="muted" data-progress-text>${scan.chunks_done} / ${scan.chunks_total} chunks · ${scan.charges_scanned.toLocaleString('en-US')} charges · ${scan.suspect_charges} suspect</p></div>` : ''}
${scan.status === 'failed' ? html`<p class="error" role="alert">${scan.failure}</p>` : ''}
<div class="stats">
<div class="stat"><div class="n" id="stat-charges">${scan.charges_scanned.toLocaleString('en-US')}</div><div class="label">取引 charges scanned · ${formatYen(scan.charged_yen_scanned)}</div></div>
<div class="stat ${scan.suspect_customers > 0 ? 'alarm' : ''}"><div class="n" id="stat-customers">${scan.suspect_customers}</div><div class="label">疑わしい顧客 suspect customers</div></div>
<div class="stat ${scan.suspect_links > 0 ? 'alarm' : ''}"><div class="n" id="stat-links">${scan.suspect_links}</div><div class="label">疑わしい連携 suspect links</div></div>
<div class="stat ${scan.suspect_charges > 0 ? 'alarm' : ''}"><div class="n" id="stat-suspect-charges">${scan.suspect_charges}</div><div class="label">疑わしい取引 suspect charges · ${formatYen(scan.suspect_yen)}</div></div>
</div></div>
${request.query.opened ? html`<p class="banner-warn" role="status" data-opened="${request.query.opened}">案件を ${request.query.opened} 件起票しました Opened ${request.query.opened} cases.</p>` : ''}
<h2>事業者・月別 Totals per operator and month (suspect months)</h2>
${suspectMonths.length === 0 ? html`<p class="muted">なし None</p>` : html`<table id="totals"><thead><tr><th>Month</th><th>Operator</th><th class="yen">Charges scanned</th><th class="yen">Yen scanned</th>
<th class="yen">Suspect charges</th><th class="yen">Suspect yen</th></tr></thead><tbody>${suspectMonths.map((total) => html`<tr><td>${total.month}</td><td>${total.operator_name}</td>
<td class="yen">${total.charges_scanned}</td><td class="yen">${formatYen(total.charged_yen)}</td><td class="yen">${total.suspect_charges}</td><td class="yen">${formatYen(total.suspect_yen)}</td></tr>`)}</tbody></table>`}
<h2>疑わしいもの Suspects</h2>
<p class="actions">${SUSPECT_KINDS.map((tab) => html`<a href="/staff/scans/${scan.id}?kind=${tab}" class="tag ${tab === kind ? 'on' : ''}" data-kind="${tab}">${KIND_LABELS[tab]}</a>`)}
<a href="/staff/scans/${scan.id}/suspects.csv?kind=${kind}" data-csv="${kind}">CSV ↓</a></p>
${kind === 'links' && analyst && scan.status === 'done' ? html`<form id="open-cases" method="post" action="/staff/scans/${scan.id}/cases" class="actions">${csrfField(context)}
<button type="submit" name="scope" value="selected" data-action="open-selected">選択した連携の案件を起票 Open cases for selected</button>
<button type="submit" name="scope" value="top" class="secondary" data-action="open-top">上位 ${SCAN_CASES_PER_OPENING_MAX} 件を起票 Open cases for the top ${SCAN_CASES_PER_OPENING_MAX}</button></form>` : ''}
<table class="wide" id="suspects" data-kind="${kind}" data-sort="${sort}" data-dir="${direction}"><thead><tr>${COLUMNS[kind].map(header)}</tr></thead><tbody>
${suspects.rows.length === 0 ? html`<tr><td colspan="${COLUMNS[kind].length}" class="muted">なし None</td></tr>`
    : suspects.rows.map((row) => html`<tr data-suspect="${row.link_id ?? row.charge_id ?? row.customer_id}" data-score="${row.score}">${suspectCells(kind, row, context)}</tr>`)}
</tbody></table>
<p class="muted">${suspects.total} in all · page ${page} of ${pages}
${page > 1 ? html` · <a href="${link({ page: page - 1 })}">← previous</a>` : ''}${page < pages ? html` · <a href="${link({ page: page + 1 })}" data-next>next →</a>` : ''}</p>
${raw('<script src="/staff/scans/live.js" defer></script>')}`;
    return reply.type('text/html').send(staffPage(context, 'Scan', '/staff/scans', body));
  });

  app.post<{ Params: { id: string }; Body: { csrf?: string; scope?: string; link_ids?: string | string[] } }>('/staff/scans/:id/cases', {
    schema: { params: UUID_PARAMS, body: Type.Object({ csrf: CSRF, scope: Type.Optional(Type.String({ maxLength: 16 })),
      link_ids: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Array(Type.String({ maxLength: 64 }), { maxItems: SCAN_CASES_PER_OPENING_MAX })])) }) },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'analyst');
    if (!context) return reply;
    const selected = request.body.link_ids === undefined ? [] : [request.body.link_ids].flat();
    if (request.body.scope !== 'top' && selected.length === 0) return refuse(request, reply, 'validation_failed', 'Tick the links to open cases for, or open the top ones');
    const result = await openScanCases({ db: services.db, cases: services.cases, audit: services.audit },
      { scan_id: request.params.id, link_ids: request.body.scope === 'top' ? 'top' : selected, staff_id: context.staff.id });
    if (result.outcome === 'not_found') return refuse(request, reply, 'scan_not_found', `No scan ${request.params.id}`);
    if (wantsJson(request)) return reply.send(result);
    return reply.redirect(`/staff/scans/${request.params.id}?kind=links&opened=${result.opened}`, 303);
  });
}
