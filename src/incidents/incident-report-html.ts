import { html, raw, type SafeHtml } from '../web/html.ts';
import { formatYen } from '../shared/yen.ts';
import { jst } from '../shared/japan-time.ts';
import { BANK_NAME } from '../notify/bank-contact.ts';
import type { IncidentReport, ReportBreakdown } from './incident-report.ts';
import type { ReportCharts } from './incident-report-charts.ts';

/**
 * The report's one stylesheet. The file is self-contained and printable: this style inline (the console serves it
 * with the style's hash in its Content-Security-Policy), the charts as SVG in the page, no script and nothing
 * fetched, so the file opens the same offline, in a regulator's mail client, and on paper (A4, tables kept whole
 * where they fit, a header on each printed table).
 */
export const REPORT_CSS = `
  @page { size: A4; margin: 16mm 14mm; }
  :root { --ink:#1d2733; --muted:#5b6b7a; --line:#cfd8e0; --brand:#0b5d8c; --warn:#b3261e; --ok:#1e7b34; }
  * { box-sizing: border-box; }
  body { margin: 0 auto; max-width: 190mm; padding: 12mm 0; font-family: "Hiragino Sans", "Noto Sans JP", "IPAPGothic", sans-serif; color: var(--ink); font-size: 10.5pt; line-height: 1.45; }
  header { border-bottom: 3px solid var(--brand); padding-bottom: 8px; margin-bottom: 14px; }
  header .bank { color: var(--brand); font-weight: 700; }
  h1 { font-size: 17pt; margin: 4px 0; } h2 { font-size: 12.5pt; margin: 22px 0 6px; border-left: 4px solid var(--brand); padding-left: 8px; break-after: avoid; }
  .meta { color: var(--muted); font-size: 9.5pt; }
  .figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; margin: 12px 0; }
  .figure { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
  .figure .n { font-size: 15pt; font-weight: 700; font-variant-numeric: tabular-nums; } .figure .label { color: var(--muted); font-size: 9pt; }
  .figure.warn .n { color: var(--warn); } .figure.ok .n { color: var(--ok); }
  table { width: 100%; border-collapse: collapse; margin: 4px 0 10px; font-size: 9.5pt; }
  thead { display: table-header-group; } tr { break-inside: avoid; }
  th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
  th { background: #eef3f7; font-weight: 600; }
  td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  .chart { break-inside: avoid; margin: 8px 0 14px; } .chart svg { max-width: 100%; height: auto; }
  .status { display: inline-block; padding: 1px 8px; border-radius: 10px; background: #e8eef3; font-size: 9pt; }
  .muted { color: var(--muted); } .none { color: var(--muted); font-style: italic; }
  ul.open { padding-left: 18px; } ul.open li { margin: 2px 0; }
  footer { margin-top: 24px; border-top: 1px solid var(--line); padding-top: 6px; color: var(--muted); font-size: 8.5pt; }
  @media print { body { padding: 0; } a { color: inherit; text-decoration: none; } }
`;
const STYLE = raw(`<style>${REPORT_CSS}</style>`);

const STATUS_TEXT: Record<string, string> = { open: '対応中 open', contained: '封じ込め済 contained', remediated: '是正済 remediated', closed: '終結 closed' };

function breakdownTable(rows: ReportBreakdown[], keyTitle: string): SafeHtml {
  if (rows.length === 0) return html`<p class="none">該当なし None</p>`;
  return html`<table><thead><tr><th>${keyTitle}</th><th class="n">案件 Cases</th><th class="n">被害者 Victims</th><th class="n">取引 Charges</th>
<th class="n">被害額 Lost</th><th class="n">返金 Refunded</th><th class="n">補償済 Compensated</th><th class="n">未補填 Outstanding</th></tr></thead><tbody>
${rows.map((row) => html`<tr><td>${row.label}</td><td class="n">${row.cases}</td><td class="n">${row.victims}</td><td class="n">${row.charges}</td>
<td class="n">${formatYen(row.lost_yen)}</td><td class="n">${formatYen(row.refunded_yen)}</td><td class="n">${formatYen(row.compensated_yen)}</td><td class="n">${formatYen(row.outstanding_yen)}</td></tr>`)}
</tbody></table>`;
}

/** The regulator's report as one self-contained, printable HTML document with its charts (rendered by renderReportCharts). */
export function renderIncidentReportHtml(report: IncidentReport, charts: ReportCharts): string {
  const { incident, totals } = report;
  const figure = (n: string | number, label: string, tone = '') => html`<div class="figure ${tone}"><div class="n">${n}</div><div class="label">${label}</div></div>`;
  const body = html`<header><div class="bank">${BANK_NAME.ja} ${BANK_NAME.en} — 不正利用事案に関する報告書 Report on a fraud incident</div>
<h1>${incident.title}</h1>
<div class="meta">事案ID Incident ${incident.id} · 状態 Status <span class="status">${STATUS_TEXT[incident.status] ?? incident.status}</span> ·
対象期間 Period ${incident.period_from} – ${incident.period_to} · 対象事業者 Operators ${incident.operators.length === 0 ? '全事業者 all' : incident.operators.map((o) => `${o.name} (${o.passbook_label})`).join(', ')} ·
責任者 Owner ${incident.owner} · 登録 Opened ${jst(new Date(incident.opened_at))} JST${incident.closed_at ? ` · 終結 Closed ${jst(new Date(incident.closed_at))} JST` : ''}</div>
<div class="meta">作成日時 Generated ${jst(new Date(report.generated_at))} JST</div></header>

<h2>概要 Summary</h2>
<div class="figures">
${figure(totals.cases, `不正と確認した案件 Cases confirmed (of ${totals.cases_total}; ${totals.cases_open} open)`)}
${figure(totals.victims, '被害者 Victims')}
${figure(formatYen(totals.lost_yen), `被害額 Lost (${totals.charges} charges)`, 'warn')}
${figure(formatYen(totals.compensated_yen), `補償済 Compensated · 返金 refunded ${formatYen(totals.refunded_yen)}`, 'ok')}
</div>
${totals.outstanding_yen > 0 ? html`<p><strong>未補填 Still outstanding: ${formatYen(totals.outstanding_yen)}</strong></p>` : html`<p>未補填の被害はありません。 Nothing is outstanding.</p>`}

<div class="chart" id="chart-losses">${raw(charts.losses_by_month)}</div>
<div class="chart" id="chart-compensation">${raw(charts.compensation_progress)}</div>

<h2>事業者別 By operator</h2>${breakdownTable(report.by_operator, '事業者 Operator')}
<h2>連携方式別 By link method</h2>${breakdownTable(report.by_link_method, '方式 Method')}
<h2>月別 By month (JST)</h2>${breakdownTable(report.by_month, '月 Month')}

<h2>補償 Compensation</h2>
<table><thead><tr><th>状態 Status</th><th class="n">件数 Count</th><th class="n">金額 Amount</th><th class="n">事業者負担 Operator</th><th class="n">当行負担 Bank</th></tr></thead><tbody>
${report.compensation.by_status.map((row) => html`<tr><td>${row.status}</td><td class="n">${row.count}</td><td class="n">${formatYen(row.amount_yen)}</td><td class="n">${formatYen(row.operator_yen)}</td><td class="n">${formatYen(row.bank_yen)}</td></tr>`)}
</tbody></table>

<h2>お客さまへの通知 Customer outreach</h2>
${report.campaigns.length === 0 ? html`<p class="none">なし None</p>` : html`<table><thead><tr><th>開始 Started (JST)</th><th>対象 Segment</th><th>状態 Status</th>
<th class="n">作成 Written</th><th class="n">送信 Sent</th><th class="n">失敗 Failed</th><th class="n">不明 Uncertain</th><th class="n">中止 Cancelled</th></tr></thead><tbody>
${report.campaigns.map((c) => html`<tr><td>${jst(new Date(c.created_at))}</td><td>${c.segment}</td><td>${c.status}${c.completed_at ? html`<br><span class="muted">${jst(new Date(c.completed_at))}</span>` : ''}</td>
<td class="n">${c.enqueued.toLocaleString('en-US')}</td><td class="n">${c.sent.toLocaleString('en-US')}</td><td class="n">${c.failed}</td><td class="n">${c.uncertain}</td><td class="n">${c.cancelled.toLocaleString('en-US')}</td></tr>`)}
</tbody></table>`}

<h2>講じた措置 Measures taken</h2>
${report.measures.length === 0 ? html`<p class="none">なし None</p>` : html`<table><thead><tr><th>日時 Time (JST)</th><th>措置 Measure</th><th>担当 By</th><th>理由 Reason</th></tr></thead><tbody>
${report.measures.map((m) => html`<tr data-kind="${m.kind}"><td class="n">${jst(new Date(m.at))}</td><td>${m.description}</td><td>${m.staff ?? html`<span class="muted">—</span>`}</td><td>${m.reason ?? ''}</td></tr>`)}
</tbody></table>`}

<h2>未了事項 Open items (${report.open_items_total})</h2>
${report.open_items.length === 0 ? html`<p>ありません。 None.</p>` : html`<ul class="open">${report.open_items.map((item) => html`<li data-kind="${item.kind}">${item.description}</li>`)}</ul>
${report.open_items_total > report.open_items.length ? html`<p class="muted">ほか ${report.open_items_total - report.open_items.length} 件 and ${report.open_items_total - report.open_items.length} more</p>` : ''}`}

<footer>${BANK_NAME.ja} · 金額は円、時刻は日本時間 Amounts in yen, times in Japan time. 被害額は不正と確認された取引の総額、未補填は被害額から返金と補償済額を除いた額です。
Lost is the sum of charges confirmed as fraud; outstanding is lost less refunds and compensation paid.</footer>`;
  return html`<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${incident.title} — 報告書 Report</title>${STYLE}</head><body>${body}</body></html>`.toString();
}
