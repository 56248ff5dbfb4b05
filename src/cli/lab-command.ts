import { LAB_LIST_HELP, labListCommand } from './lab-list-command.ts';
import { LAB_RUN_HELP, labRunCommand } from './lab-run-command.ts';
import { LAB_SCHEMA_HELP, labSchemaCommand } from './lab-schema-command.ts';
import { LAB_HISTORY_HELP, labHistoryCommand } from './lab-history-command.ts';
import type { Config } from '../config.ts';

/** What `furikae lab` subcommands get besides their arguments: the configuration. */
export type LabCommandContext = Config;

/** `furikae lab <subcommand>`: one entry per subcommand, each in its own file. */
const LAB_SUBCOMMANDS: Record<string, { help: string; run(args: string[], context: LabCommandContext): Promise<number> }> = {
  run: { help: LAB_RUN_HELP, run: labRunCommand },
  list: { help: LAB_LIST_HELP, run: labListCommand },
  schema: { help: LAB_SCHEMA_HELP, run: labSchemaCommand },
  history: { help: LAB_HISTORY_HELP, run: labHistoryCommand },
};

export const LAB_HELP = `furikae lab <${Object.keys(LAB_SUBCOMMANDS).join('|')}> [--help]
  The attack lab: scenario files of honest customers and attackers, run through the bank's real entry points on a
  simulated clock against the 2020 and the hardened configuration. See docs/lab.md.

${Object.values(LAB_SUBCOMMANDS).map((subcommand) => subcommand.help).join('\n')}`;

/** Runs `furikae lab …`; returns the exit code. */
export async function labCommand(args: string[], context: LabCommandContext): Promise<number> {
  const [name, ...rest] = args;
  const subcommand = name === undefined ? undefined : LAB_SUBCOMMANDS[name];
  if (!subcommand) {
    if (name !== undefined && name !== '--help' && name !== '-h') console.error(`furikae lab: unknown subcommand "${name}"\n`);
    console.log(LAB_HELP);
    return name === '--help' || name === '-h' ? 0 : 1;
  }
  return subcommand.run(rest, context);
}
