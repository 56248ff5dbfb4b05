import { FurikaeError } from '../errors/furikae-error.ts';
import { formatYen } from '../shared/yen.ts';
import { jst } from '../shared/japan-time.ts';
import type { IncidentCommandContext } from './incident-command.ts';
import { campaignLine } from './incident-campaign-command.ts';

/** `furikae incident show ID`: the incident's scope, stage, open items, compensation totals, campaigns and timeline. */
export async function incidentShow({ services, args, out }: IncidentCommandContext): Promise<number> {
  const incident = await services.incidents.get(args[0] ?? '');
  if (!incident) throw new FurikaeError('incident_not_found', `No incident ${args[0] ?? ''}`);
  const [operators, staff, open, totals, campaigns, timeline] = await Promise.all([
    services.operators.list(), services.staff.list(), services.incidents.openItems(incident.id), services.compensations.totals(incident.id),
    services.campaigns.listForIncident(incident.id), services.incidents.timeline(incident),
  ]);
  const operatorName = new Map(operators.map((operator) => [operator.id, operator.display_name]));
  const staffName = new Map(staff.map((member) => [member.id, member.display_name]));
  out(`${incident.title}\n  id ${incident.id}\n  status ${incident.status} since ${jst(incident.status_changed_at)} JST`);
  out(`  operators ${incident.operator_ids.length === 0 ? 'every operator' : incident.operator_ids.map((id) => operatorName.get(id) ?? id).join(', ')}`);
  out(`  period ${incident.period_from}..${incident.period_to}; owner ${staffName.get(incident.owner_staff_id) ?? incident.owner_staff_id}`);
  out(`  open items: ${open.cases_open} case(s), ${open.compensations_unpaid} compensation(s) unpaid, ${open.campaigns_unfinished} campaign(s) unfinished`);
  out('compensation:');
  if (totals.length === 0) out('  none');
  for (const row of totals) out(`  ${(operatorName.get(row.operator_id) ?? row.operator_id).padEnd(24)} ${row.status.padEnd(9)} ${String(row.count).padStart(5)}  ${formatYen(row.amount_yen)}`);
  out('campaigns:');
  if (campaigns.length === 0) out('  none');
  for (const campaign of campaigns) out(`  ${campaignLine(campaign)}`);
  out('timeline:');
  for (const entry of timeline) out(`  ${jst(entry.at)}  ${entry.summary}${entry.staff_id ? ` — ${staffName.get(entry.staff_id) ?? entry.staff_id}` : ''}${entry.reason ? ` “${entry.reason}”` : ''}`);
  return 0;
}
