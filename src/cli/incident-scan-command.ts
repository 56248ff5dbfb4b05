import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { openStores } from './open-stores.ts';
import { systemClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { formatYen } from '../shared/yen.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import { createRiskPipeline } from '../risk/risk-pipeline.ts';
import { DEFAULT_RISK_CONFIG } from '../risk/default-risk-config.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { errorCodes } from '../errors/error-codes.ts';
import { createScanner, SCAN_CUSTOMERS_PER_CHUNK } from '../scan/scanner.ts';
import { createScanReader, SUSPECT_KINDS, type SuspectKind } from '../scan/scan-read-api.ts';
import { scanCsv } from '../scan/scan-csv.ts';
import { createProgressBar } from './progress-bar.ts';

/** Suspects the summary prints: the worst few; the console and the CSV have all of them. */
const SUMMARY_SUSPECTS = 10;

export const INCIDENT_SCAN_HELP = `furikae incident scan --from YYYY-MM-DD --to YYYY-MM-DD [--operator ID] [--incident ID] [--csv FILE [--kind charges|links|customers]]
  Re-evaluates every link and charge in the window (Japan-time days, both inclusive, at most 10 years) with today's
  risk rules and the scan-only typologies, seeing what the bank knows now ("not me" reports, locks, cases resolved as
  fraud). Shows a progress bar, then totals and the worst suspects; the console's Scans page has them all.
  --operator  one operator's links and charges only: its id or client_id
  --incident  file the scan under an incident (its id)
  --csv FILE  also write the suspects to FILE as CSV (--kind charges by default)
`;

/** `furikae incident scan`: runs a retrospective scan in this process and prints what it found. Returns the exit code. */
export async function incidentScanCommand(args: string[], config: Config): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: {
      from: { type: 'string' }, to: { type: 'string' }, operator: { type: 'string' }, incident: { type: 'string' },
      csv: { type: 'string' }, kind: { type: 'string' }, 'chunk-customers': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    } }));
  } catch (error) {
    console.error(`furikae incident scan: ${(error as Error).message}\n\n${INCIDENT_SCAN_HELP}`);
    return 1;
  }
  if (values.help) {
    console.log(INCIDENT_SCAN_HELP);
    return 0;
  }
  const kind = (values.kind ?? 'charges') as SuspectKind;
  if (!SUSPECT_KINDS.includes(kind)) {
    console.error(`furikae incident scan: --kind must be one of ${SUSPECT_KINDS.join(', ')}`);
    return 1;
  }
  const customers_per_chunk = values['chunk-customers'] === undefined ? SCAN_CUSTOMERS_PER_CHUNK : Number(values['chunk-customers']);
  if (!Number.isSafeInteger(customers_per_chunk) || customers_per_chunk < 1) {
    console.error('furikae incident scan: --chunk-customers must be a positive whole number');
    return 1;
  }
  const { bankDb: db } = await openStores(config, { wallet: false });
  try {
    const ids = createIds(systemClock);
    const scanner = createScanner({
      db, clock: systemClock, ids, log: createLogger({ level: config.log_level ?? 'warn' }),
      pipeline: createRiskPipeline(DEFAULT_RISK_CONFIG), audit: createAuditLog({ db, clock: systemClock, ids, key: config.audit_key }), customers_per_chunk,
    });
    const bar = createProgressBar(process.stderr, 'scan');
    const started_ms = performance.now();
    let started;
    try {
      started = await scanner.start(
        { from: values.from ?? '', to: values.to ?? '', operator: values.operator ?? null, incident_id: values.incident ?? null, started_by: 'cli' },
        (progress) => bar.update(progress.chunks_done, progress.chunks_total, `chunks · ${progress.charges_scanned.toLocaleString('en-US')} charges · ${progress.suspect_charges} suspect`),
      );
    } catch (error) {
      if (error instanceof FurikaeError) {
        console.error(`furikae incident scan: ${errorCodes[error.code].title}: ${error.message} (${error.code})`);
        return 1;
      }
      throw error;
    }
    console.error(`scan ${started.scan.id}: ${started.scan.from_date} to ${started.scan.to_date}, ${started.scan.customers_total.toLocaleString('en-US')} customers in ${started.scan.chunks_total} chunks`);
    if (started.scan.chunks_total === 0) bar.update(0, 0, 'nothing to scan');
    const scan = await started.finished;
    const seconds = (performance.now() - started_ms) / 1000;
    if (scan.status !== 'done') {
      console.error(`furikae incident scan: the scan failed: ${scan.failure}`);
      return 1;
    }
    const reader = createScanReader(db);
    const lines = [
      `scan ${scan.id} done in ${seconds.toFixed(1)} s (risk config ${scan.risk_config_id}, scan config ${scan.scan_config_id})`,
      `scanned: ${scan.links_scanned.toLocaleString('en-US')} links, ${scan.charges_scanned.toLocaleString('en-US')} charges, ${formatYen(scan.charged_yen_scanned)}`,
      `suspect: ${scan.suspect_customers} customers, ${scan.suspect_links} links, ${scan.suspect_charges} charges, ${formatYen(scan.suspect_yen)}`,
      '',
      'operator | month | charges | suspect | suspect yen',
    ];
    for (const total of await reader.totals(scan.id)) {
      if (total.suspect_charges > 0) lines.push(`${total.operator_name} | ${total.month} | ${total.charges_scanned} | ${total.suspect_charges} | ${formatYen(total.suspect_yen)}`);
    }
    lines.push('', `worst ${SUMMARY_SUSPECTS} suspect links (score, operator, customer, suspect yen, reasons):`);
    for (const row of (await reader.suspects(scan.id, 'links', { limit: SUMMARY_SUSPECTS })).rows) {
      lines.push(`  ${row.score}  ${row.operator_name}  ${row.customer_name}  ${formatYen(row.charged_yen ?? 0)}  ${row.reasons.join(' ')}`);
    }
    lines.push('', `all suspects: ${config.public_url}/staff/scans/${scan.id}`);
    console.log(lines.join('\n'));
    if (values.csv) {
      const file = createWriteStream(values.csv);
      for await (const piece of scanCsv(reader, scan.id, kind)) if (!file.write(piece)) await once(file, 'drain');
      file.end();
      await once(file, 'finish');
      console.log(`suspect ${kind} written to ${values.csv}`);
    }
    return 0;
  } finally {
    await db.close();
  }
}
