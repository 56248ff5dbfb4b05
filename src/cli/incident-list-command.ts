import { jst } from '../shared/japan-time.ts';
import type { IncidentCommandContext } from './incident-command.ts';

/** `furikae incident list`: every incident, open ones first, one line each. */
export async function incidentList({ services, out }: IncidentCommandContext): Promise<number> {
  const incidents = await services.incidents.list();
  if (incidents.length === 0) {
    out('no incidents');
    return 0;
  }
  for (const incident of incidents) {
    out(`${incident.id}  ${incident.status.padEnd(10)}  ${jst(incident.opened_at)}  ${incident.period_from}..${incident.period_to}  ${incident.title}`);
  }
  return 0;
}
