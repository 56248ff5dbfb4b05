/** enqueuing: notices being written; running: being sent; paused and cancelled by an admin; completed: every notice settled. */
export type CampaignStatus = 'enqueuing' | 'running' | 'paused' | 'cancelled' | 'completed';

/** Who a campaign goes to. */
export type CampaignSegment =
  | { kind: 'operator'; operator_id: string }
  | { kind: 'legacy_pin' }
  | { kind: 'scan'; scan_id: string };

/** A campaign as stored, with its delivery counts. */
export interface Campaign {
  id: string;
  incident_id: string;
  segment_kind: CampaignSegment['kind'];
  segment_operator_id: string | null;
  segment_scan_id: string | null;
  passbook_labels: string[];
  message_ja: string;
  message_en: string;
  status: CampaignStatus;
  created_at: Date;
  created_by: string;
  enqueued_at: Date | null;
  enqueued_count: number;
  sent_count: number;
  failed_count: number;
  uncertain_count: number;
  cancelled_count: number;
  status_changed_at: Date;
  status_changed_by: string | null;
  completed_at: Date | null;
}

export const CAMPAIGN_COLUMNS = `id, incident_id, segment_kind, segment_operator_id, segment_scan_id, passbook_labels, message_ja, message_en, status,
  created_at, created_by, enqueued_at, enqueued_count, sent_count, failed_count, uncertain_count, cancelled_count, status_changed_at,
  status_changed_by, completed_at`;

/** Notices of the campaign not yet settled one way or another (waiting, or claimed and on their way). */
export function campaignOutstanding(campaign: Pick<Campaign, 'enqueued_count' | 'sent_count' | 'failed_count' | 'uncertain_count' | 'cancelled_count'>): number {
  return campaign.enqueued_count - campaign.sent_count - campaign.failed_count - campaign.uncertain_count - campaign.cancelled_count;
}

/** The segment a stored campaign was made for. */
export function segmentOf(campaign: Pick<Campaign, 'segment_kind' | 'segment_operator_id' | 'segment_scan_id'>): CampaignSegment {
  if (campaign.segment_kind === 'operator') return { kind: 'operator', operator_id: campaign.segment_operator_id! };
  if (campaign.segment_kind === 'scan') return { kind: 'scan', scan_id: campaign.segment_scan_id! };
  return { kind: 'legacy_pin' };
}
