/**
 * The cases of an incident, as SQL over the incident id in parameter `param`: the cases staff attached to it. Every
 * reader of an incident's cases (open items, compensation, the report, the console) uses this one definition.
 */
export function incidentCaseIdsSql(param = '$1'): string {
  return `SELECT case_id FROM incident_cases WHERE incident_id = ${param}`;
}
