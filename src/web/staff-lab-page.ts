import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { html } from './html.ts';
import type { StaffGate } from './staff-gate.ts';
import { staffPage } from './staff-frame.ts';
import { LAB_REPORT_STYLESHEET, scenarioSection } from '../lab/lab-report.ts';
import { serveStylesheets } from '../http/stylesheet.ts';
import type { LabResults } from '../lab/run-lab.ts';

/** Largest results.json the page reads: a full run of every scenario is a few megabytes. */
const RESULTS_BYTES_MAX = 64 * 1024 * 1024;
/**
 * The report is shown as written by `furikae lab run`: no script may run in it, nothing may be fetched, and the only
 * style that applies is the report's own stylesheet, inlined in the file and allowed by its hash (never 'unsafe-inline').
 */
export const LAB_REPORT_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(LAB_REPORT_STYLESHEET.css).digest('base64')}'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

async function readResults(report_dir: string): Promise<LabResults | undefined> {
  try {
    const text = await readFile(join(report_dir, 'results.json'), 'utf8');
    if (text.length > RESULTS_BYTES_MAX) return undefined;
    const results = JSON.parse(text) as LabResults;
    return results.format === 1 ? results : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The console's Lab page: the latest `furikae lab run` (its results.json in `report_dir`), each scenario with the
 * configurations side by side and its charts, drawn here from the data; and the full self-contained report.
 */
export async function staffLabPage(app: FastifyInstance, gate: StaffGate, { report_dir }: { report_dir: string }): Promise<void> {
  serveStylesheets(app, [LAB_REPORT_STYLESHEET]);
  app.get('/staff/lab', async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    const results = await readResults(report_dir);
    const intro = html`<h1>攻撃ラボ / Attack lab</h1>
<p class="muted">Scenarios of honest customers and attackers, run through the bank's own entry points on a simulated clock against the 2020 and the hardened configuration.
Run <code>furikae lab run</code> (or <code>furikae lab run docomo-2020 --config hardened --seed 7</code>); this page shows the latest report in <code>${report_dir}</code>.</p>`;
    if (!results) {
      return reply.type('text/html').send(staffPage(context, 'Lab', '/staff/lab', html`${intro}
<div class="card" id="lab-empty"><p>まだレポートがありません。 No lab report yet: run <code>furikae lab run --quick</code> for a first one in a few minutes.</p></div>`));
    }
    const sections = [];
    for (const scenario of results.scenarios) sections.push(await scenarioSection(results, scenario));
    const body = html`${intro}
<p><a href="/staff/lab/report" id="lab-full-report">レポート全体 / The full report</a> · ${results.runs.length} runs, ${results.quick ? 'quick' : 'full size'},
${results.seed === null ? 'each scenario’s own seed' : `seed ${results.seed}`}</p>
<div id="lab-results">${sections}</div>`;
    return reply.type('text/html').send(staffPage(context, 'Lab', '/staff/lab', body, [LAB_REPORT_STYLESHEET]));
  });

  app.get('/staff/lab/report', async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    try {
      const report = await readFile(join(report_dir, 'index.html'), 'utf8');
      return reply.type('text/html').header('content-security-policy', LAB_REPORT_CSP).header('cache-control', 'no-store').send(report);
    } catch {
      return reply.redirect('/staff/lab');
    }
  });
}
