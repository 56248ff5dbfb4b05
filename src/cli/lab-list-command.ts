import { parseArgs } from 'node:util';
import { labCapabilities } from '../lab/lab-capabilities.ts';
import { LAB_CONFIGURATIONS } from '../lab/lab-configurations.ts';
import { loadShippedScenarios } from '../lab/run-lab.ts';

export const LAB_LIST_HELP = `furikae lab list [--capabilities]
  Lists the shipped scenarios, one line each: id, title, size, simulated time, configurations compared.
  --capabilities  lists the capabilities scenario files can give customers and attackers, and the configurations.
`;

/** `furikae lab list`. */
export async function labListCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { capabilities: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(LAB_LIST_HELP);
    return 0;
  }
  if (values.capabilities) {
    for (const capability of labCapabilities) {
      console.log(`${capability.actor.padEnd(9)} ${capability.id.padEnd(22)} ${capability.does}${capability.needs.length > 0 ? ` (needs: ${capability.needs.join(', ')})` : ''}`);
    }
    console.log('');
    for (const configuration of LAB_CONFIGURATIONS) console.log(`config    ${configuration.id.padEnd(22)} ${configuration.describes}`);
    return 0;
  }
  for (const { scenario, configurations } of await loadShippedScenarios()) {
    const customers = scenario.cohorts.reduce((sum, cohort) => sum + cohort.customers, 0);
    const size = `${customers.toLocaleString('en-US')} customers, ${scenario.attackers.length} attacker(s), ${scenario.timeline.days} days`;
    console.log(`${scenario.id.padEnd(26)} ${scenario.title} — ${size}; ${configurations.map((c) => c.id).join(' vs ')}`);
  }
  return 0;
}
