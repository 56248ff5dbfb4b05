import { renderChartSvg } from '../charts/chart-svg.ts';
import { formatYen } from '../shared/yen.ts';
import { html, raw, type SafeHtml } from '../web/html.ts';
import { loadStylesheet } from '../http/stylesheet.ts';
import { REPORTED_CHARGES_MAX, type GroupFriction } from './lab-measures.ts';
import { caughtByChart, detectionTimelineChart, frictionChart, stolenOverTimeChart } from './lab-charts.ts';
import type { LabResults } from './run-lab.ts';
import type { RunResult } from './run-scenario.ts';

/** At most this share of an honest group's charges may be challenged (docs/lab.md, "Targets"): the report marks a miss. */
export const HONEST_CHALLENGED_PCT_MAX = 2;
/** At most this share of an honest group's charges may be denied (docs/lab.md, "Targets"). */
export const HONEST_DENIED_PCT_MAX = 0.1;

/** A duration for people: minutes, hours or days. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return 'never';
  const sign = seconds < 0 ? '−' : '';
  const s = Math.abs(seconds);
  if (s < 3600) return `${sign}${Math.round(s / 60)} min`;
  if (s < 2 * 86400) return `${sign}${(s / 3600).toFixed(1)} h`;
  return `${sign}${(s / 86400).toFixed(1)} d`;
}

const detection = (run: RunResult) => (run.measures.theft.first_attempt_at === null ? 'no attack' : formatDuration(run.measures.theft.detection_seconds));
const containment = (run: RunResult) => {
  const { theft } = run.measures;
  if (theft.first_attempt_at === null) return 'no attack';
  if (theft.stolen_yen === 0) return 'nothing stolen';
  return theft.containment_seconds === null ? 'not contained' : formatDuration(theft.containment_seconds);
};
const worst = (run: RunResult, measure: (group: GroupFriction) => number) => Math.max(0, ...run.measures.friction.map(measure));

/** Friction within the targets in every group? */
function frictionVerdict(run: RunResult): SafeHtml {
  const challenged = worst(run, (group) => group.challenged_pct);
  const denied = worst(run, (group) => group.denied_pct);
  const met = challenged <= HONEST_CHALLENGED_PCT_MAX && denied <= HONEST_DENIED_PCT_MAX;
  return html`<span class="${met ? 'ok' : 'miss'}">${challenged.toFixed(2)} % / ${denied.toFixed(2)} %</span>`;
}

function summaryTable(results: LabResults): SafeHtml {
  return html`<table class="summary"><thead><tr><th>scenario</th><th>configuration</th><th class="n">attempted</th><th class="n">stolen</th>
<th class="n">recovered</th><th class="n">victims</th><th class="n">links made</th><th>first alert after</th><th>contained after</th>
<th>honest: worst group challenged / denied</th></tr></thead><tbody>
${results.runs.map((run) => html`<tr data-scenario="${run.scenario}" data-configuration="${run.configuration}">
<td><a href="#${run.scenario}">${run.scenario}</a></td><td>${run.configuration}</td><td class="n">${formatYen(run.measures.theft.attempted_yen)}</td>
<td class="n stolen">${formatYen(run.measures.theft.stolen_yen)}</td><td class="n">${formatYen(run.measures.theft.recovered_yen)}</td>
<td class="n">${run.measures.theft.victims} / ${run.measures.theft.victims_targeted}</td><td class="n">${run.measures.theft.links_made} / ${run.measures.theft.links_attempted}</td>
<td>${detection(run)}</td><td>${containment(run)}</td><td>${frictionVerdict(run)}</td></tr>`)}
</tbody></table>`;
}

/** The attackers' tries at the approval page, by outcome, or a dash where none were made (or the file predates the count). */
function stepUpAnswers(run: RunResult): string {
  const answers = Object.entries(run.measures.theft.step_up_answers ?? {});
  return answers.length === 0 ? '—' : answers.map(([answer, times]) => `${answer} × ${times}`).join(', ');
}

function sideBySide(runs: readonly RunResult[]): SafeHtml {
  const row = (label: string, cell: (run: RunResult) => string | SafeHtml) => html`<tr><th>${label}</th>${runs.map((run) => html`<td>${cell(run)}</td>`)}</tr>`;
  const at = (value: string | null) => (value === null ? '—' : `${value.slice(0, 16).replace('T', ' ')} UTC`);
  return html`<table class="side"><thead><tr><th></th>${runs.map((run) => html`<th>${run.configuration}</th>`)}</tr></thead><tbody>
${row('yen attempted', (run) => formatYen(run.measures.theft.attempted_yen))}
${row('yen stolen', (run) => formatYen(run.measures.theft.stolen_yen))}
${row('yen recovered (voided, refunded or still reserved)', (run) => formatYen(run.measures.theft.recovered_yen))}
${row('yen refused outright', (run) => formatYen(run.measures.theft.blocked_yen))}
${row('victims who lost money / targeted', (run) => `${run.measures.theft.victims} / ${run.measures.theft.victims_targeted}`)}
${row('links the attackers made / tried', (run) => `${run.measures.theft.links_made} / ${run.measures.theft.links_attempted}`)}
${row('targeted customers texted that a credential locked', (run) => String(run.measures.theft.victims_told_of_locks))}
${row('thieves at the approval page (outcome × times)', (run) => stepUpAnswers(run))}
${row('first attempt', (run) => at(run.measures.theft.first_attempt_at))}
${row('first theft', (run) => at(run.measures.theft.first_theft_at))}
${row('first staff alert about the attack', (run) => at(run.measures.theft.first_alert_at))}
${row('first theft → first alert', detection)}
${row('first theft → contained', containment)}
${row('staff alerts: about the attack / about honest customers', (run) => `${run.measures.alerts.about_attack} / ${run.measures.alerts.about_honest}`)}
${row('honest customers', (run) => String(run.measures.friction.reduce((sum, group) => sum + group.customers, 0)))}
${row('simulated steps / moves', (run) => `${run.engine.steps.toLocaleString('en-US')} / ${run.engine.moves.toLocaleString('en-US')}`)}
${row('moves that failed unexpectedly', (run) => (run.failures_count === 0 ? '0' : html`<span class="miss">${run.failures_count}</span>: ${run.failures.slice(0, 3).map((f) => `${f.actor} ${f.message}`).join('; ')}`))}
</tbody></table>`;
}

function caughtByTable(runs: readonly RunResult[]): SafeHtml {
  return html`${runs.map((run) => html`<div class="card"><h4>${run.configuration}: what stopped them</h4>${run.measures.theft.caught_by.length === 0
    ? html`<p class="muted">Nothing stopped them.</p>`
    : html`<table><thead><tr><th>control (rule id, throttle, notice, policy)</th><th class="n">yen stopped or recovered</th><th class="n">charges</th><th class="n">links</th></tr></thead><tbody>
${run.measures.theft.caught_by.map((tally) => html`<tr><td><code>${tally.control}</code></td><td class="n">${formatYen(tally.yen)}</td><td class="n">${tally.charges}</td><td class="n">${tally.links}</td></tr>`)}</tbody></table>`}
${run.measures.theft.stolen_seen_by.length > 0 ? html`<p><strong>Rules that saw the stolen yen</strong>${run.risk_mode === 'observe' ? ' (recorded, not enforced)' : ''}:
${run.measures.theft.stolen_seen_by.map((seen) => html` <code>${seen.rule}</code> ${formatYen(seen.yen)};`)}</p>` : ''}</div>`)}`;
}

function frictionTable(runs: readonly RunResult[]): SafeHtml {
  return html`<table><thead><tr><th>configuration</th><th>group</th><th class="n">customers</th><th class="n">charges</th><th class="n">challenged</th><th class="n">held</th>
<th class="n">denied</th><th class="n">consent expired</th><th class="n">other refusals</th><th class="n">links made / tried</th><th class="n">links flagged</th><th class="n">staff alerts</th><th>rules behind the friction</th></tr></thead><tbody>
${runs.flatMap((run) => run.measures.friction.map((group) => html`<tr><td>${run.configuration}</td><td>${group.group}</td><td class="n">${group.customers}</td><td class="n">${group.charges}</td>
<td class="n ${group.challenged_pct > HONEST_CHALLENGED_PCT_MAX ? 'miss' : ''}">${group.challenged} (${group.challenged_pct.toFixed(2)} %)</td><td class="n">${group.held} (${group.held_pct.toFixed(2)} %)</td>
<td class="n ${group.denied_pct > HONEST_DENIED_PCT_MAX ? 'miss' : ''}">${group.denied} (${group.denied_pct.toFixed(2)} %)</td><td class="n">${group.consent_expired}</td><td class="n">${group.other_refused}</td>
<td class="n">${group.links_made} / ${group.links_attempted}</td><td class="n">${group.links_flagged}</td><td class="n">${group.alerts}</td>
<td class="small">${group.frictioned_by.map((entry) => `${entry.rule} ×${entry.charges}`).join(', ')}</td></tr>`))}
</tbody></table>`;
}

function decisionsTable(runs: readonly RunResult[]): SafeHtml {
  return html`${runs.map((run) => {
    const shown = run.measures.theft.charges.slice(0, REPORTED_CHARGES_MAX);
    return html`<details class="card"><summary>${run.configuration}: the decisions behind each attacker charge (${run.measures.theft.charges.length})</summary>
${shown.length === 0 ? html`<p class="muted">The attackers never got to charge.</p>` : html`<table class="small"><thead><tr><th>time (UTC)</th><th>victim</th><th>operator</th><th class="n">amount</th><th>bank's answer</th><th>fate</th><th>rule ids and controls</th></tr></thead><tbody>
${shown.map((charge) => html`<tr class="fate-${charge.fate}"><td>${charge.at.slice(0, 16).replace('T', ' ')}</td><td>${charge.victim}</td><td>${charge.operator}</td><td class="n">${formatYen(charge.amount_yen)}</td>
<td><code>${charge.answer}</code></td><td>${charge.fate}</td><td>${charge.controls.map((control) => html`<code>${control}</code> `)}</td></tr>`)}</tbody></table>
${run.measures.theft.charges.length > shown.length ? html`<p class="muted">The first ${shown.length}; results.json lists all ${run.measures.theft.charges.length}.</p>` : ''}`}</details>`;
  })}`;
}

/** One scenario's section: its sources, the configurations side by side, the charts, friction and the decisions. */
export async function scenarioSection(results: LabResults, scenario: LabResults['scenarios'][number]): Promise<SafeHtml> {
  const runs = results.runs.filter((run) => run.scenario === scenario.id);
  const attacked = runs.some((run) => run.measures.theft.first_attempt_at !== null);
  const charts = await Promise.all([
    attacked ? renderChartSvg(stolenOverTimeChart(runs)) : undefined,
    attacked ? renderChartSvg(detectionTimelineChart(runs)) : undefined,
    renderChartSvg(frictionChart(runs, { challenged_pct: HONEST_CHALLENGED_PCT_MAX, denied_pct: HONEST_DENIED_PCT_MAX })),
    attacked && runs.some((run) => run.measures.theft.caught_by.length > 0) ? renderChartSvg(caughtByChart(runs)) : undefined,
  ]);
  const figure = (svg: string | undefined) => (svg ? html`<figure>${raw(svg)}</figure>` : '');
  return html`<section id="${scenario.id}"><h2>${scenario.title} <code>${scenario.id}</code></h2>
${scenario.summary ? html`<p>${scenario.summary}</p>` : ''}
<p class="muted">Sources: ${scenario.sources.map((source, index) => html`${index > 0 ? ' · ' : ''}${source}`)} — <code>${scenario.file}</code>,
population ${runs[0]?.population.customers ?? 0} customers (${runs[0] ? `scale ${runs[0].scale}` : ''}), seed ${runs[0]?.seed ?? ''}, ${runs[0]?.timeline.days ?? 0} simulated days.</p>
${sideBySide(runs)}
<div class="charts">${charts.map(figure)}</div>
${attacked ? caughtByTable(runs) : ''}
<h3>Friction for honest customers</h3>${frictionTable(runs)}
${attacked ? decisionsTable(runs) : ''}</section>`;
}

/**
 * The report's stylesheet (lab-report.css): inlined in the self-contained report file, linked from the console's Lab
 * page (the console's CSP allows no inline style). Rules for the report file alone are scoped to body.lab-report.
 */
export const LAB_REPORT_STYLESHEET = loadStylesheet('lab-report', new URL('./lab-report.css', import.meta.url));

/** The lab report as one self-contained HTML file: no script, no external file, charts as inline SVG. */
export async function renderLabReport(results: LabResults): Promise<string> {
  const sections = [];
  for (const scenario of results.scenarios) sections.push(await scenarioSection(results, scenario));
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>furikae attack lab report</title><style>${raw(LAB_REPORT_STYLESHEET.css)}</style></head>
<body class="lab-report"><header class="lab"><h1>ふりかえ銀行 · furikae attack lab</h1></header><main class="lab">
<p>${results.scenarios.length} scenario(s), each against its configurations through the bank's real entry points on a simulated clock
(${results.quick ? 'quick: small populations' : 'full size'}; ${results.seed === null ? 'each scenario’s own seed' : `seed ${results.seed}`}).
Targets: ¥0 stolen with the hardened configuration in every credential-only scenario; honest customers challenged on at most
${HONEST_CHALLENGED_PCT_MAX} % and wrongly denied on at most ${HONEST_DENIED_PCT_MAX} % of their charges in every group.</p>
${summaryTable(results)}
${sections}
<p class="muted">The same seed gives the same report. Produced by <code>furikae lab run</code>; the data are in results.json beside this file.</p>
</main></body></html>`.toString();
}
