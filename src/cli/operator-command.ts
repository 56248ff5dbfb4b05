import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import type { BankServices } from '../bank-services.ts';
import type { StaffUser } from '../staff/staff-directory.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { toProblem } from '../errors/problem.ts';
import { roleAllows } from '../staff/staff-role.ts';
import { CONTAINMENT_ACTIONS, type ContainmentAction } from '../operators/operator.ts';
import { CONTAINMENT_RELEASE_REASON_CHARS_MAX } from '../operators/operator-containments.ts';
import { openBankServices } from './open-bank-services.ts';
import { loginStaff, readStaffCredentials } from './staff-login.ts';
import { resolveOperator, type IncidentCommandIo } from './incident-command.ts';

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  staff: { type: 'string' },
  reason: { type: 'string' },
  level: { type: 'string' },
  action: { type: 'string' },
} as const;

export const OPERATOR_HELP = `furikae operator <subcommand> [options]

  list                                   every operator: switches, containment policy and state, registered sources
  release ID --reason R --staff LOGIN    release the operator's automatic containment (admin)
  policy ID --level N|off [--action ${CONTAINMENT_ACTIONS.join('|')}] --reason R --staff LOGIN
                                         set the anomaly level past which the bank contains it itself (admin)
  sources ID [ADDRESS|CIDR]... --reason R --staff LOGIN
                                         the addresses its servers call from; none: not bound (admin)

  Operators are given by id or client id. --staff names your console login; its password and authenticator code are
  read from the terminal (or the first two lines of standard input), never from an argument. Every change is
  audited with who and why. A refusal prints its code (see docs/errors.md) and exits 1.
`;

/** The admin the command acts as, with a reason of 1 to 200 characters; refused otherwise, before anything changes. */
async function adminWithReason(login: () => Promise<StaffUser>, reason: string | undefined): Promise<{ staff: StaffUser; reason: string }> {
  const trimmed = (reason ?? '').trim();
  if (trimmed.length === 0 || trimmed.length > CONTAINMENT_RELEASE_REASON_CHARS_MAX) throw new FurikaeError('staff_reason_invalid', `Give --reason, 1 to ${CONTAINMENT_RELEASE_REASON_CHARS_MAX} characters`);
  const staff = await login();
  if (!roleAllows(staff.role, 'admin')) throw new FurikaeError('staff_role_insufficient', `${staff.login_id} is ${staff.role}; only an admin may change an operator's containment`);
  return { staff, reason: trimmed };
}

/** `furikae operator …`: operators' containment from the command line, as an admin would in the console. */
export async function runOperatorCommand(argv: string[], config: () => Config, io: IncidentCommandIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    io.stderr.write(`furikae operator: ${(error as Error).message}\n\n${OPERATOR_HELP}\n`);
    return 1;
  }
  const [subcommand, target, ...rest] = parsed.positionals;
  const known = ['list', 'release', 'policy', 'sources'];
  if (parsed.values.help || !subcommand || !known.includes(subcommand) || (subcommand !== 'list' && !target)) {
    const fine = parsed.values.help === true;
    (fine ? io.stdout : io.stderr).write(`${OPERATOR_HELP}\n`);
    return fine ? 0 : 1;
  }
  const out = (text: string) => io.stdout.write(`${text}\n`);
  const { services, close } = await openBankServices(config());
  const login = () => loginStaff(services, parsed.values.staff, () => readStaffCredentials(parsed.values.staff!, io.stdin, io.stderr));
  try {
    if (subcommand === 'list') return await list(services, out);
    const operator_id = await resolveOperator(services, target!);
    if (subcommand === 'release') {
      const { staff, reason } = await adminWithReason(login, parsed.values.reason);
      const released = await services.containments.release(operator_id, { staff_id: staff.id, reason });
      if (released.kind === 'not_contained') throw new FurikaeError('staff_target_not_open', `Operator ${target} is not contained`);
      out(`operator ${target}: containment ${released.containment.id} released`);
      return 0;
    }
    if (subcommand === 'policy') {
      const levelText = parsed.values.level;
      const level = levelText === 'off' ? null : Number(levelText);
      if (levelText === undefined || (level !== null && !(Number.isFinite(level) && level > 1 && level <= 1000))) {
        throw new FurikaeError('validation_failed', 'Give --level, a number above 1 (a ratio to the operator\'s busiest window; at most 1000) or off');
      }
      const action = (parsed.values.action ?? 'hold_charges_and_suspend_links') as ContainmentAction;
      if (!CONTAINMENT_ACTIONS.includes(action)) throw new FurikaeError('validation_failed', `--action is one of ${CONTAINMENT_ACTIONS.join(', ')}`);
      const { staff, reason } = await adminWithReason(login, parsed.values.reason);
      await services.operators.setContainmentPolicy(operator_id, { level, action }, { staff_id: staff.id, reason });
      out(`operator ${target}: ${level === null ? 'never contained automatically' : `contained at level ${level}: ${action}`}`);
      return 0;
    }
    const { staff, reason } = await adminWithReason(login, parsed.values.reason);
    const set = await services.operators.setSourceAddresses(operator_id, rest, { staff_id: staff.id, reason });
    if (set && !set.ok) throw new FurikaeError('validation_failed', set.problems.join('; '));
    out(`operator ${target}: ${rest.length === 0 ? 'not bound to source addresses' : `sources ${set!.ok ? set!.operator.source_addresses.join(', ') : ''}`}`);
    return 0;
  } catch (error) {
    if (!(error instanceof FurikaeError)) throw error;
    io.stderr.write(`furikae operator ${subcommand}: ${error.code}: ${error.message}\n${JSON.stringify(toProblem(error.code, error.message, error.details))}\n`);
    return 1;
  } finally {
    await close();
  }
}

/** One line per operator: its switches, its containment policy and state, and its registered sources. */
async function list(services: BankServices, out: (text: string) => void): Promise<number> {
  const active = new Map((await services.containments.list()).filter((c) => c.released_at === null).map((c) => [c.operator_id, c]));
  for (const operator of await services.operators.list()) {
    const contained = active.get(operator.id);
    out([
      operator.client_id, operator.display_name,
      `links ${operator.new_links_suspended ? 'SUSPENDED' : 'open'}`, `charges ${operator.charges_suspended ? 'SUSPENDED' : 'open'}`,
      operator.containment_level === null ? 'containment off' : `contain at ${operator.containment_level}× (${operator.containment_action})`,
      contained ? `CONTAINED since ${contained.started_at.toISOString()} (${contained.measure} level ${contained.level})` : 'not contained',
      `sources ${operator.source_addresses.length > 0 ? operator.source_addresses.join(',') : 'any'}`,
    ].join('\t'));
  }
  return 0;
}
