/**
 * The cases of an incident, as SQL over the incident id in parameter `param`: the cases staff attached to it, and the
 * cases opened from its retrospective scans' suspect links (src/scan). Every reader of an incident's cases (open
 * items, compensation, the report, the console) uses this one definition.
 */
export function incidentCaseIdsSql(param = '$1'): string {
  return `SELECT case_id FROM incident_cases WHERE incident_id = ${param}
          UNION SELECT l.case_id FROM scans s JOIN scan_links l ON l.scan_id = s.id WHERE s.incident_id = ${param} AND l.case_id IS NOT NULL`;
}
