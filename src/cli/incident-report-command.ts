import { writeFileSync } from 'node:fs';
import { REPORT_FORMATS, type ReportFormat } from '../incidents/generate-incident-report.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import type { IncidentCommandContext } from './incident-command.ts';

/** `furikae incident report ID --format html|csv|json [--out FILE] --staff LOGIN`: the regulator's report, audited. */
export async function incidentReport({ services, args, options, login, out, write }: IncidentCommandContext): Promise<number> {
  const format = options.format ?? 'html';
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new FurikaeError('validation_failed', `--format must be one of ${REPORT_FORMATS.join(', ')}`);
  const by = await login();
  const file = await services.incidents.report(args[0] ?? '', format as ReportFormat, by.id);
  if (options.out) {
    writeFileSync(options.out, file.body);
    out(`report written to ${options.out} (${Buffer.byteLength(file.body)} bytes)`);
  } else {
    write(file.body);
  }
  return 0;
}
