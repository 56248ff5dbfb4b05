import type { IncidentCommandContext } from './incident-command.ts';
import { resolveOperator } from './incident-command.ts';
import { FurikaeError } from '../errors/furikae-error.ts';

/** `furikae incident open --title T --from D --to D [--operator ID]... [--owner LOGIN] --staff LOGIN`. */
export async function incidentOpen({ services, options, login, out }: IncidentCommandContext): Promise<number> {
  const operator_ids = await Promise.all((options.operator ?? []).map((text) => resolveOperator(services, text)));
  const owner = options.owner ? (await services.staff.list()).find((member) => member.login_id === options.owner) : undefined;
  if (options.owner && !owner) throw new FurikaeError('validation_failed', `No staff member with login ${options.owner}`);
  const by = await login();
  const incident = await services.incidents.open({
    title: options.title ?? '', operator_ids, period_from: options.from ?? '', period_to: options.to ?? '', ...(owner ? { owner_staff_id: owner.id } : {}),
  }, by.id);
  out(`incident ${incident.id} opened: ${incident.title}`);
  return 0;
}
