import { INCIDENT_STATUSES, type IncidentStatus } from '../incidents/incident.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import type { IncidentCommandContext } from './incident-command.ts';

/** `furikae incident status ID contained|remediated|closed [--reason R] --staff LOGIN`: an admin moves it one stage on. */
export async function incidentStatus({ services, args, options, login, out }: IncidentCommandContext): Promise<number> {
  const [incident_id = '', to = ''] = args;
  if (!(INCIDENT_STATUSES as readonly string[]).includes(to)) throw new FurikaeError('incident_status_invalid', `Say which stage: ${INCIDENT_STATUSES.slice(1).join(', ')}`);
  const by = await login();
  const moved = await services.incidents.advance(incident_id, to as IncidentStatus, by.id, options.reason);
  out(`incident ${moved.id} is ${moved.status}`);
  return 0;
}
