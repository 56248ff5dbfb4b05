import type { Queryable } from '../storage/database.ts';
import { assert } from '../shared/assert.ts';
import { incidentCaseIdsSql } from './incident-cases.ts';

/** What an incident still has to finish before it may close. */
export interface OpenItems {
  cases_open: number;
  /** Proposed (waiting for a checker) or approved (waiting to be paid). */
  compensations_unpaid: number;
  /** Enqueuing, running or paused. */
  campaigns_unfinished: number;
  total: number;
}

/** Counts an incident's open cases, unpaid compensations and unfinished campaigns. */
export async function readOpenItems(db: Queryable, incident_id: string): Promise<OpenItems> {
  const [row] = await db.query<Omit<OpenItems, 'total'>>(
    `SELECT (SELECT count(*)::int FROM cases WHERE status = 'open' AND id IN (${incidentCaseIdsSql()})) AS cases_open,
            (SELECT count(*)::int FROM compensations WHERE incident_id = $1 AND status IN ('proposed', 'approved')) AS compensations_unpaid,
            (SELECT count(*)::int FROM campaigns WHERE incident_id = $1 AND status IN ('enqueuing', 'running', 'paused')) AS campaigns_unfinished`,
    [incident_id],
  );
  assert(row, 'open items row');
  return { ...row, total: row.cases_open + row.compensations_unpaid + row.campaigns_unfinished };
}
