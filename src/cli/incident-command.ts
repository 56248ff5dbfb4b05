import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import type { BankServices } from '../bank-services.ts';
import type { StaffUser } from '../staff/staff-directory.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { toProblem } from '../errors/problem.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import { openBankServices } from './open-bank-services.ts';
import { loginStaff, readStaffCredentials } from './staff-login.ts';
import { incidentList } from './incident-list-command.ts';
import { incidentShow } from './incident-show-command.ts';
import { incidentOpen } from './incident-open-command.ts';
import { incidentStatus } from './incident-status-command.ts';
import { incidentReport } from './incident-report-command.ts';
import { incidentCampaign } from './incident-campaign-command.ts';

/** What every `furikae incident` subcommand gets. */
export interface IncidentCommandContext {
  services: BankServices;
  /** Positional arguments after the subcommand. */
  args: string[];
  options: IncidentOptions;
  /** The staff member the command acts as (--staff and their password), for anything that writes or is audited. */
  login(): Promise<StaffUser>;
  /** Writes a line to standard output (adding the newline if it has none). */
  out(text: string): void;
  /** Writes text to standard output exactly as given (a report's body, a progress bar's redraw). */
  write(text: string): void;
  /** Whether standard output is a terminal (progress bars redraw in place). */
  tty: boolean;
}

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  staff: { type: 'string' },
  title: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  operator: { type: 'string', multiple: true },
  owner: { type: 'string' },
  reason: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string', short: 'o' },
  segment: { type: 'string' },
  labels: { type: 'string' },
  'message-ja': { type: 'string' },
  'message-en': { type: 'string' },
  watch: { type: 'boolean' },
} as const;

export type IncidentOptions = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** The subcommands, each in its own file. */
const SUBCOMMANDS: Record<string, (context: IncidentCommandContext) => Promise<number>> = {
  list: incidentList,
  show: incidentShow,
  open: incidentOpen,
  status: incidentStatus,
  report: incidentReport,
  campaign: incidentCampaign,
};

export const INCIDENT_HELP = `furikae incident <subcommand> [options]

  list                                   incidents, open ones first
  show ID                                scope, status, open items, compensation, campaigns and the timeline
  open --title T --from YYYY-MM-DD --to YYYY-MM-DD [--operator ID]... [--owner LOGIN] --staff LOGIN
                                         open an incident (no --operator: every operator)
  status ID contained|remediated|closed [--reason R] --staff LOGIN
                                         move it to its next stage (closing needs every item done)
  report ID --format html|csv|json [--out FILE] --staff LOGIN
                                         the regulator's report (to FILE, else to standard output)
  campaign start ID --segment operator:ID|legacy_pin|scan:ID [--labels L1,L2] [--message-ja T] [--message-en T] --staff LOGIN
                                         write a passbook-check notice to every customer of the segment
  campaign status CAMPAIGN_ID [--watch]  delivery counts (--watch: a progress bar until it finishes)
  campaign pause|resume|cancel CAMPAIGN_ID --reason R --staff LOGIN

  Operators are given by id or client id. --staff names your console login; its password and authenticator code are
  read from the terminal (or the first two lines of standard input), never from an argument. Compensation is
  proposed and approved in the console. A refusal prints its code (see docs/errors.md) and exits 1.
`;

/** Resolves an operator given by id or client id; operator_not_found otherwise. */
export async function resolveOperator(services: BankServices, text: string): Promise<string> {
  const operator = isUuid(text) ? await services.operators.get(text) : await services.operators.clientRegistration(text);
  if (!operator) throw new FurikaeError('operator_not_found', `No operator ${text}`);
  return operator.id;
}

/** Where a command reads its secrets and writes its answers: the process's own streams, or a test's. */
export interface IncidentCommandIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

const PROCESS_IO: IncidentCommandIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };

/** `furikae incident …`: parses, opens the bank's database, runs the subcommand; a refusal prints its problem and exits 1. */
export async function runIncidentCommand(argv: string[], config: () => Config, io: IncidentCommandIo = PROCESS_IO): Promise<number> {
  const error_line = (text: string) => io.stderr.write(`${text}\n`);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    error_line(`furikae incident: ${(error as Error).message}\n\n${INCIDENT_HELP}`);
    return 1;
  }
  const [subcommand, ...args] = parsed.positionals;
  const run = subcommand ? SUBCOMMANDS[subcommand] : undefined;
  if (!run || parsed.values.help) {
    (run || parsed.values.help ? io.stdout : io.stderr).write(`${INCIDENT_HELP}\n`);
    return run || parsed.values.help ? 0 : 1;
  }
  const { services, close } = await openBankServices(config());
  try {
    return await run({
      services, args, options: parsed.values, tty: io.stdout.isTTY === true,
      login: () => loginStaff(services, parsed.values.staff, () => readStaffCredentials(parsed.values.staff!, io.stdin, io.stderr)),
      out: (text) => io.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
      write: (text) => io.stdout.write(text),
    });
  } catch (error) {
    if (!(error instanceof FurikaeError)) throw error;
    error_line(`furikae incident ${subcommand}: ${error.code}: ${error.message}`);
    error_line(JSON.stringify(toProblem(error.code, error.message, error.details)));
    return 1;
  } finally {
    await close();
  }
}
