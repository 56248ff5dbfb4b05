import type { Queryable } from '../storage/database.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import { japanDate } from '../shared/japan-time.ts';

/**
 * The longest period an incident may cover: Japan Post Bank reviewed three years (July 2017 to September 2020);
 * ten years covers any statutory record-keeping horizon with room, and bounds what a report reads.
 */
export const INCIDENT_PERIOD_YEARS_MAX = 10;
/** Most operators one incident names: the 2020 thefts went through eleven services at most. */
export const INCIDENT_OPERATORS_MAX = 50;
/** Longest title: a line in a list, not a report. */
export const INCIDENT_TITLE_CHARS_MAX = 200;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written YYYY-MM-DD (2020-02-30 is not). */
export function isIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

/** The date `years` calendar years after an ISO date (Feb 29 rolls to Mar 1). */
function addYears(date: string, years: number): string {
  const parsed = new Date(`${date}T00:00:00Z`);
  parsed.setUTCFullYear(parsed.getUTCFullYear() + years);
  return parsed.toISOString().slice(0, 10);
}

/**
 * Checks a period of Japan dates: both real dates, from ≤ to, to no later than today in Japan, and at most
 * INCIDENT_PERIOD_YEARS_MAX years long. Throws incident_period_invalid saying which.
 */
export function checkIncidentPeriod(period_from: string, period_to: string, now: Date): void {
  if (!isIsoDate(period_from) || !isIsoDate(period_to)) throw new FurikaeError('incident_period_invalid', 'The period needs two dates written YYYY-MM-DD');
  if (period_from > period_to) throw new FurikaeError('incident_period_invalid', `The period starts (${period_from}) after it ends (${period_to})`);
  if (period_to > japanDate(now)) throw new FurikaeError('incident_period_invalid', `The period ends (${period_to}) after today`);
  if (period_to >= addYears(period_from, INCIDENT_PERIOD_YEARS_MAX)) {
    throw new FurikaeError('incident_period_invalid', `The period is longer than ${INCIDENT_PERIOD_YEARS_MAX} years`, { period_years_max: INCIDENT_PERIOD_YEARS_MAX });
  }
}

/** Checks that every operator id names a registered operator; throws operator_not_found naming the first that does not. */
export async function checkOperatorsExist(tx: Queryable, operator_ids: readonly string[]): Promise<void> {
  if (operator_ids.length > INCIDENT_OPERATORS_MAX) throw new FurikaeError('validation_failed', `At most ${INCIDENT_OPERATORS_MAX} operators`);
  const malformed = operator_ids.find((id) => !isUuid(id));
  if (malformed !== undefined) throw new FurikaeError('operator_not_found', `No operator ${malformed}`);
  if (operator_ids.length === 0) return;
  const found = new Set((await tx.query<{ id: string }>(`SELECT id FROM operators WHERE id = ANY($1::uuid[])`, [[...operator_ids]])).map((row) => row.id));
  const missing = operator_ids.find((id) => !found.has(id));
  if (missing !== undefined) throw new FurikaeError('operator_not_found', `No operator ${missing}`);
}
