import { csvLine } from '../shared/csv.ts';
import type { ScanReader, SuspectKind, SuspectRow } from './scan-read-api.ts';

/** The columns of each kind's CSV, in order, with how each is read from a row. */
const CSV_COLUMNS: Record<SuspectKind, Array<[string, (row: SuspectRow) => string | number | null | undefined]>> = {
  links: [['link_id', (r) => r.link_id], ['customer_id', (r) => r.customer_id], ['customer_name', (r) => r.customer_name], ['operator', (r) => r.operator_name],
    ['method', (r) => r.method], ['linked_at', (r) => r.linked_at?.toISOString()], ['score', (r) => r.score], ['decision_today', (r) => r.decision],
    ['suspect_charges', (r) => r.charges_count], ['suspect_yen', (r) => r.charged_yen], ['case_id', (r) => r.case_id], ['reasons', (r) => r.reasons.join(' ')]],
  charges: [['charge_id', (r) => r.charge_id], ['link_id', (r) => r.link_id], ['customer_id', (r) => r.customer_id], ['customer_name', (r) => r.customer_name],
    ['operator', (r) => r.operator_name], ['charged_at', (r) => r.charged_at?.toISOString()], ['amount_yen', (r) => r.amount_yen], ['score', (r) => r.score],
    ['decision_today', (r) => r.decision], ['reasons', (r) => r.reasons.join(' ')]],
  customers: [['customer_id', (r) => r.customer_id], ['customer_name', (r) => r.customer_name], ['score', (r) => r.score], ['suspect_links', (r) => r.links_count],
    ['suspect_charges', (r) => r.charges_count], ['suspect_yen', (r) => r.charged_yen], ['reasons', (r) => r.reasons.join(' ')]],
};

/** A scan's suspects of one kind as CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheets read the kana), streamed in pages. */
export async function* scanCsv(reader: ScanReader, scan_id: string, kind: SuspectKind): AsyncGenerator<string> {
  const columns = CSV_COLUMNS[kind];
  yield `\uFEFF${csvLine(columns.map(([name]) => name))}`;
  let lines: string[] = [];
  for await (const row of reader.allSuspects(scan_id, kind)) {
    lines.push(csvLine(columns.map(([, read]) => read(row))));
    if (lines.length >= 1000) {
      yield lines.join('');
      lines = [];
    }
  }
  if (lines.length > 0) yield lines.join('');
}
