import type { Database, Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { assert } from '../shared/assert.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { requireStaffRole } from '../staff/require-role.ts';
import { lockOpenIncident } from '../incidents/incident-store.ts';
import { CAMPAIGN_COLUMNS, campaignOutstanding, segmentOf, type Campaign, type CampaignSegment, type CampaignStatus } from './campaign.ts';
import { CAMPAIGN_LABELS_MAX, checkCampaignMessage, checkPassbookLabels } from './campaign-message.ts';
import { countSegment, segmentQuery } from './campaign-segments.ts';
import { enqueueCampaignNotices } from './enqueue-campaign.ts';
import type { ScanCustomers } from './scan-customers.ts';

/** Longest reason for pausing, resuming or cancelling: a sentence for the audit log, as for a kill switch. */
export const CAMPAIGN_REASON_CHARS_MAX = 200;

/** What staff give to start a campaign. Labels default to the passbook labels of the operators concerned. */
export interface NewCampaign {
  incident_id: string;
  segment: CampaignSegment;
  passbook_labels?: readonly string[];
  message_ja?: string;
  message_en?: string;
}

/** A campaign with where its notices stand. */
export interface CampaignProgress {
  campaign: Campaign;
  /** Claimed by a sender right now. */
  sending: number;
  /** Written and not yet claimed, sent or given up (includes a paused campaign's whole remainder). */
  waiting: number;
}

/** Which moves staff may make, from which statuses, to which. */
const MOVES = {
  pause: { from: ['running'], to: 'paused', action: 'campaign.pause' },
  resume: { from: ['paused'], to: 'running', action: 'campaign.resume' },
  cancel: { from: ['enqueuing', 'running', 'paused'], to: 'cancelled', action: 'campaign.cancel' },
} as const satisfies Record<string, { from: readonly CampaignStatus[]; to: CampaignStatus; action: string }>;

export type CampaignMove = keyof typeof MOVES;

/**
 * Bulk outreach campaigns. An admin starts one on a segment of customers (refused when it is empty); its notices are
 * then written set-based by enqueuePending (one statement, so a crash leaves none and it is written again), and sent
 * by the notification dispatcher through the campaign notice source, behind ordinary notices. An admin may pause,
 * resume or cancel it, with a reason; every step is audited.
 */
export function createCampaigns({ db, clock, ids, audit, log, scans }: { db: Database; clock: Clock; ids: Ids; audit: AuditLog; log: Logger; scans: ScanCustomers }) {
  async function lockCampaign(tx: Queryable, campaign_id: string): Promise<Campaign> {
    const [found] = isUuid(campaign_id) ? await tx.query<Campaign>(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1 FOR UPDATE`, [campaign_id]) : [];
    if (!found) throw new FurikaeError('campaign_not_found', `No campaign ${campaign_id}`);
    return found;
  }

  /** The passbook labels of the operators the campaign is about: the segment's operator, else the incident's (else all). */
  async function defaultLabels(tx: Queryable, segment: CampaignSegment, operator_ids: readonly string[]): Promise<string[]> {
    const scope = segment.kind === 'operator' ? [segment.operator_id] : operator_ids;
    const rows = await tx.query<{ passbook_label: string }>(
      `SELECT DISTINCT passbook_label FROM operators WHERE cardinality($1::uuid[]) = 0 OR id = ANY($1::uuid[]) ORDER BY passbook_label LIMIT $2`,
      [[...scope], CAMPAIGN_LABELS_MAX]);
    return rows.map((row) => row.passbook_label);
  }

  return {
    /**
     * Starts a campaign (status enqueuing), audited with the segment's size. Refused, changing nothing: a non-admin,
     * a closed or unknown incident, an unknown operator or scan, an empty segment, a message with a link or address.
     */
    async create(input: NewCampaign, by: string): Promise<Campaign> {
      const message_ja = checkCampaignMessage(input.message_ja ?? '', 'ja');
      const message_en = checkCampaignMessage(input.message_en ?? '', 'en');
      return db.transaction(async (tx) => {
        await requireStaffRole(tx, by, 'admin');
        const incident = await lockOpenIncident(tx, input.incident_id);
        const customers = await countSegment(tx, input.segment, incident.id, scans);
        if (customers === 0) throw new FurikaeError('campaign_segment_empty', 'No customer is in this segment: nothing to send');
        const passbook_labels = checkPassbookLabels(input.passbook_labels ?? await defaultLabels(tx, input.segment, incident.operator_ids));
        const now = clock.now();
        const [campaign] = await tx.query<Campaign>(
          `INSERT INTO campaigns (id, incident_id, segment_kind, segment_operator_id, segment_scan_id, passbook_labels, message_ja, message_en,
             status, created_at, created_by, status_changed_at, status_changed_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'enqueuing', $9, $10, $9, $10) RETURNING ${CAMPAIGN_COLUMNS}`,
          [ids.next(), incident.id, input.segment.kind, input.segment.kind === 'operator' ? input.segment.operator_id : null,
            input.segment.kind === 'scan' ? input.segment.scan_id : null, passbook_labels, message_ja, message_en, now, by]);
        assert(campaign, 'campaign inserted');
        await audit.append(tx, {
          staff_id: by, action: 'campaign.create', subject: campaign.id,
          details: { incident_id: incident.id, segment: input.segment, customers, passbook_labels },
        });
        return campaign;
      });
    },

    /**
     * Writes the notices of every campaign still enqueuing, one campaign per transaction (others skip a campaign a
     * process is already writing). Returns the campaigns written with their notice counts.
     */
    async enqueuePending(): Promise<{ campaign_id: string; notices: number }[]> {
      const written: { campaign_id: string; notices: number }[] = [];
      for (;;) {
        const done = await db.transaction(async (tx) => {
          const [campaign] = await tx.query<Campaign>(
            `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE status = 'enqueuing' ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`);
          if (!campaign) return undefined;
          const now = clock.now();
          const notices = await enqueueCampaignNotices(tx, campaign.id, segmentQuery(segmentOf(campaign), 1, scans), now);
          // A segment emptied since the campaign was started has nothing to send: it is complete at once.
          await tx.query(
            `UPDATE campaigns SET status = CASE WHEN $2 = 0 THEN 'completed' ELSE 'running' END, enqueued_at = $3, enqueued_count = $2,
                    completed_at = CASE WHEN $2 = 0 THEN $3::timestamptz END, status_changed_at = $3 WHERE id = $1`,
            [campaign.id, notices, now]);
          log.info({ campaign_id: campaign.id, notices }, 'campaign notices written to the outbox');
          return { campaign_id: campaign.id, notices };
        });
        if (!done) return written;
        written.push(done);
      }
    },

    /** Pauses, resumes or cancels a campaign: an admin, with a reason, audited. A move from the wrong status is campaign_status_invalid. */
    async move(campaign_id: string, move: CampaignMove, by: string, reason: string): Promise<Campaign> {
      const rule = MOVES[move];
      assert(rule, `unknown campaign move ${String(move)}`);
      const why = reason.trim();
      if (why.length === 0 || why.length > CAMPAIGN_REASON_CHARS_MAX) throw new FurikaeError('staff_reason_invalid', `Say why, in 1 to ${CAMPAIGN_REASON_CHARS_MAX} characters`);
      return db.transaction(async (tx) => {
        await requireStaffRole(tx, by, 'admin');
        const campaign = await lockCampaign(tx, campaign_id);
        if (!(rule.from as readonly CampaignStatus[]).includes(campaign.status)) {
          throw new FurikaeError('campaign_status_invalid', `The campaign is ${campaign.status}: it cannot ${move}`, { status: campaign.status });
        }
        const [moved] = await tx.query<Campaign>(
          `UPDATE campaigns SET status = $2, status_changed_at = $3, status_changed_by = $4 WHERE id = $1 RETURNING ${CAMPAIGN_COLUMNS}`,
          [campaign_id, rule.to, clock.now(), by]);
        await audit.append(tx, {
          staff_id: by, action: rule.action, subject: campaign_id, reason: why,
          details: { incident_id: campaign.incident_id, from: campaign.status, to: rule.to, outstanding: campaignOutstanding(campaign) },
        });
        return moved!;
      });
    },

    /** One campaign with where its notices stand. */
    async progress(campaign_id: string): Promise<CampaignProgress | undefined> {
      if (!isUuid(campaign_id)) return undefined;
      const [campaign] = await db.query<Campaign>(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1`, [campaign_id]);
      if (!campaign) return undefined;
      const [row] = await db.query<{ sending: number }>(
        `SELECT count(*)::int AS sending FROM notification_outbox WHERE status = 'sending' AND campaign_id = $1`, [campaign_id]);
      const sending = row?.sending ?? 0;
      return { campaign, sending, waiting: campaignOutstanding(campaign) - sending };
    },

    /** An incident's campaigns, newest first. */
    async listForIncident(incident_id: string): Promise<Campaign[]> {
      if (!isUuid(incident_id)) return [];
      return db.query<Campaign>(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE incident_id = $1 ORDER BY created_at DESC, id DESC`, [incident_id]);
    },

    /** How many customers a segment reaches now, for the console's preview (checks the operator or scan exists). */
    async segmentSize(incident_id: string, segment: CampaignSegment): Promise<number> {
      return countSegment(db, segment, incident_id, scans);
    },
  };
}

export type Campaigns = ReturnType<typeof createCampaigns>;
