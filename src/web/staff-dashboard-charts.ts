import type { FastifyInstance } from 'fastify';
import type { BankServices } from '../bank-services.ts';
import { renderChartSvg, type ChartSpec } from '../charts/chart-svg.ts';
import { jst } from '../shared/japan-time.ts';
import { html, type SafeHtml } from './html.ts';
import type { StaffGate } from './staff-gate.ts';
import { alertLabel } from './staff-alerts-page.ts';
import {
  CHARGES_CHART_WINDOW_MINUTES, DAY_CHART_WINDOW_HOURS, TOP_RULES_SHOWN, readAlertsByKind, readDecisionsPerMinute, readTopRules,
  type AlertsByKind, type DecisionsPerMinute, type RuleHits,
} from './dashboard-chart-data.ts';

/** How often the dashboard redraws its charts: a burst of stolen-link charges shows within a quarter of a minute. */
export const CHART_REFRESH_MS = 15_000;
/** Plot widths so that each picture shows at its own size on a 1280-px screen: the minute chart across, the two day charts side by side. */
const WIDE_CHART_WIDTH_PX = 940;
const HALF_CHART_WIDTH_PX = 250;
const CHART_HEIGHT_PX = 200;
/** Text a person reads at arm's length, in the console's font, Japanese included. */
const CHART_CONFIG = {
  font: 'system-ui, "Noto Sans CJK JP", sans-serif',
  title: { fontSize: 15, anchor: 'start', offset: 12 },
  axis: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal', labelColor: '#33414d', titleColor: '#5f6b76' },
  legend: { labelFontSize: 12, titleFontSize: 12 },
  view: { stroke: null },
} as const;
/** Minute labels on the charges chart's axis: every tenth minute reads; sixty do not. */
const MINUTE_LABEL_EVERY = 10;

/** The risk actions in the order of their severity, each in the colour the console uses for it (console.css). */
const DECISION_COLOURS: Record<string, string> = { allow: '#1e7d4a', challenge: '#c27c0e', hold: '#c0392b', deny: '#6d1a12' };
const ALERT_STATUS_COLOURS: Record<string, string> = { open: '#c0392b', acknowledged: '#c27c0e', closed: '#9aa5b1' };

const emptyTitle = (text: string, empty: boolean, what: string) =>
  (empty ? { text, subtitle: `まだありません · no ${what} yet`, subtitleColor: '#5f6b76' } : { text });

/** Charges per minute, stacked by decision, the last hour in Japan time; a minute without charges stays empty. */
export function chargesPerMinuteSpec(rows: readonly DecisionsPerMinute[], now: Date): ChartSpec {
  const last = Math.floor(now.getTime() / 60_000) * 60_000;
  // Label the round ten minutes of Japan time (10:20, 10:30): the minute's own digits, since JST has no odd offset.
  const minutes = Array.from({ length: CHARGES_CHART_WINDOW_MINUTES }, (_, index) => jst(new Date(last - (CHARGES_CHART_WINDOW_MINUTES - 1 - index) * 60_000)).slice(11));
  return {
    title: emptyTitle(`Charges per minute by decision, last ${CHARGES_CHART_WINDOW_MINUTES} min (JST)`, rows.length === 0, 'charges'),
    width: WIDE_CHART_WIDTH_PX, height: CHART_HEIGHT_PX, config: CHART_CONFIG,
    data: { values: rows.map((row) => ({ minute: jst(row.minute).slice(11), decision: row.action, charges: row.charges })) },
    mark: 'bar',
    encoding: {
      x: { field: 'minute', type: 'ordinal', title: null, scale: { domain: minutes },
        axis: { labelAngle: 0, values: minutes.filter((minute) => Number(minute.slice(3)) % MINUTE_LABEL_EVERY === 0) } },
      y: { field: 'charges', type: 'quantitative', aggregate: 'sum', title: 'charges', axis: { tickMinStep: 1 } },
      color: { field: 'decision', type: 'nominal', title: 'decision',
        scale: { domain: Object.keys(DECISION_COLOURS), range: Object.values(DECISION_COLOURS) } },
      order: { field: 'decision', sort: 'ascending' },
    },
  };
}

/** Alerts raised in the last day by kind, stacked by where they stand now. */
export function alertsByKindSpec(rows: readonly AlertsByKind[]): ChartSpec {
  return {
    title: emptyTitle(`Alerts by kind, last ${DAY_CHART_WINDOW_HOURS} h`, rows.length === 0, 'alerts'),
    width: HALF_CHART_WIDTH_PX, height: { step: 24 }, config: CHART_CONFIG,
    data: { values: rows.map((row) => ({ kind: alertLabel(row.kind), status: row.status, alerts: row.alerts })) },
    mark: 'bar',
    encoding: {
      y: { field: 'kind', type: 'nominal', title: null, sort: '-x', axis: { labelLimit: 320 } },
      x: { field: 'alerts', type: 'quantitative', aggregate: 'sum', title: 'alerts', axis: { tickMinStep: 1 } },
      color: { field: 'status', type: 'nominal', title: 'status',
        scale: { domain: Object.keys(ALERT_STATUS_COLOURS), range: Object.values(ALERT_STATUS_COLOURS) } },
    },
  };
}

/** The rules that fired most in the last day, most first. */
export function topRulesSpec(rows: readonly RuleHits[]): ChartSpec {
  return {
    title: emptyTitle(`Top ${TOP_RULES_SHOWN} rules hit, last ${DAY_CHART_WINDOW_HOURS} h`, rows.length === 0, 'rule hits'),
    width: HALF_CHART_WIDTH_PX, height: { step: 24 }, config: CHART_CONFIG,
    data: { values: [...rows] },
    mark: { type: 'bar', color: '#1f4e79' },
    encoding: {
      y: { field: 'rule', type: 'nominal', title: null, sort: '-x', axis: { labelLimit: 320 } },
      x: { field: 'hits', type: 'quantitative', title: 'decisions it fired in', axis: { tickMinStep: 1 } },
    },
  };
}

/** Each chart: its address under /staff/charts/, what it says for a screen reader, and how it is drawn from the database. */
const CHARTS = [
  { name: 'charges-per-minute', wide: true, alt: 'Charges per minute by decision (allow, challenge, hold, deny) over the last hour',
    draw: async (services: BankServices, now: Date) => chargesPerMinuteSpec(await readDecisionsPerMinute(services.db, now), now) },
  { name: 'alerts-by-kind', wide: false, alt: 'Alerts raised in the last 24 hours by kind and status',
    draw: async (services: BankServices, now: Date) => alertsByKindSpec(await readAlertsByKind(services.db, now)) },
  { name: 'top-rules', wide: false, alt: 'The risk rules that fired most in the last 24 hours',
    draw: async (services: BankServices, now: Date) => topRulesSpec(await readTopRules(services.db, now)) },
] as const;

/**
 * Redraws each chart every CHART_REFRESH_MS while the page is visible: the new picture is loaded off-screen and
 * swapped in, so the old one stays until the new one is there; when none comes, the page reloads (to the login page
 * once the session has ended). A file, not an inline script: the CSP allows only those.
 */
const LIVE_CHARTS_SCRIPT = `(() => {
  const charts = document.querySelectorAll('img[data-live-chart]');
  const redraw = () => {
    if (document.hidden) return;
    for (const chart of charts) {
      const next = new Image();
      next.onload = () => { chart.src = next.src; chart.dataset.drawnAt = String(Date.now()); };
      // No picture: the session ended (the answer is the login page) or the bank failed; reloading shows which.
      next.onerror = () => location.reload();
      next.src = chart.dataset.liveChart + '?at=' + Date.now();
    }
  };
  setInterval(redraw, ${CHART_REFRESH_MS});
  document.addEventListener('visibilitychange', redraw);
})();`;

/** The dashboard's charts section: each chart as an image of the server-drawn SVG, redrawn by /staff/dashboard/live.js. */
export function dashboardCharts(): SafeHtml {
  return html`<h2>いまの状況 Live charts <span class="muted">(redrawn every ${CHART_REFRESH_MS / 1000} s)</span></h2>
<div class="charts" id="dashboard-charts">${CHARTS.map((chart) => html`<figure class="chart ${chart.wide ? 'wide' : ''}"><img src="/staff/charts/${chart.name}.svg" data-live-chart="/staff/charts/${chart.name}.svg" id="chart-${chart.name}" alt="${chart.alt}"></figure>`)}</div>
<script src="/staff/dashboard/live.js" defer></script>`;
}

/** The dashboard's charts, drawn by Vega-Lite on the server from bounded, indexed queries, for staff only. */
export async function staffDashboardCharts(app: FastifyInstance, services: BankServices, gate: StaffGate): Promise<void> {
  app.get('/staff/dashboard/live.js', async (_request, reply) => reply.type('application/javascript; charset=utf-8').send(LIVE_CHARTS_SCRIPT));
  for (const chart of CHARTS) {
    app.get(`/staff/charts/${chart.name}.svg`, async (request, reply) => {
      // A picture redrawing itself is not someone at the desk: it never keeps an idle session alive.
      const context = await gate.page(request, reply, { touch: false });
      if (!context) return reply;
      const svg = await renderChartSvg(await chart.draw(services, services.clock.now()));
      return reply.type('image/svg+xml; charset=utf-8').send(svg);
    });
  }
}
