import type { CustomerNotice } from '../mfa/notify-customer.ts';
import type { LinkMethod } from '../operators/operator.ts';

/** What a link notice shows, captured when the link was made. */
export interface LinkCreatedData {
  link_id: string;
  operator_name: string;
  branch_code: string;
  /** Last three digits only (maskAccountNumber); the full number never enters the outbox. */
  account_masked: string;
  method: LinkMethod;
  charge_yen_max: number;
  charges_yen_per_month_max: number;
  /** ISO 8601. */
  linked_at: string;
}

/** What a charge notice shows, captured in the charge's batch. */
export interface ChargeSucceededData {
  charge_id: string;
  link_id: string;
  operator_name: string;
  /** The label the passbook line carries, so the customer can match the two. */
  passbook_label: string;
  amount_yen: number;
  branch_code: string;
  account_masked: string;
  /** ISO 8601. */
  charged_at: string;
}

/** What a compensation notice shows, captured when it was paid. */
export interface CompensationPaidData {
  compensation_id: string;
  operator_name: string;
  /** The label of the credit line in the passbook (不正利用補償 and the operator's label). */
  passbook_label: string;
  amount_yen: number;
  branch_code: string;
  account_masked: string;
  /** ISO 8601. */
  paid_at: string;
}

/** What a consent reminder shows: whose consent ends when, captured when the reminder job claimed the link. */
export interface ConsentExpiringData {
  link_id: string;
  operator_name: string;
  branch_code: string;
  account_masked: string;
  /** ISO 8601: from then on the operator's charges are refused until the customer renews. */
  consent_expires_at: string;
}

/** What a renewal notice shows: the link whose consent the customer renewed at the bank, and its new end. */
export interface ConsentRenewedData {
  link_id: string;
  operator_name: string;
  branch_code: string;
  account_masked: string;
  /** ISO 8601. */
  consent_expires_at: string;
  /** ISO 8601. */
  renewed_at: string;
}

/** One service linked to the customer's account, as a campaign notice lists it. */
export interface LinkedServiceLine {
  operator_name: string;
  passbook_label: string;
  branch_code: string;
  account_masked: string;
  status: 'active' | 'frozen' | 'revoked';
}

/**
 * What a campaign notice shows: the customer's linked services (captured when the campaign was enqueued) and, added
 * when it is claimed for sending, the campaign's labels to look for and the message staff wrote.
 */
export interface CampaignNoticeData {
  campaign_id: string;
  services: LinkedServiceLine[];
  passbook_labels: string[];
  message_ja: string;
  message_en: string;
}

/** One message in the outbox: which template, and the data it renders. */
export type Notice =
  | { template: 'link_created'; data: LinkCreatedData }
  | { template: 'charge_succeeded'; data: ChargeSucceededData }
  | { template: 'compensation_paid'; data: CompensationPaidData }
  | { template: 'campaign_notice'; data: CampaignNoticeData }
  | { template: 'consent_expiring'; data: ConsentExpiringData }
  | { template: 'consent_renewed'; data: ConsentRenewedData }
  | { template: CustomerNotice['kind']; data: CustomerNotice };

export type NoticeTemplate = Notice['template'];

/**
 * Notices about a link or a charge: they carry a "this wasn't me" link. A renewal is one: it gives the operator
 * 180 more days of charges, and only the customer's own sign-in at the bank should be able to do that.
 */
export const NOT_ME_TEMPLATES: readonly NoticeTemplate[] = ['link_created', 'charge_succeeded', 'consent_renewed'];

/** How a notice reaches the customer. */
export type NoticeChannel = 'email' | 'sms';

/**
 * Delivery status of an outbox row. Bulk (campaign) rows also know `sending` (claimed, the mail may be on its way),
 * `uncertain` (its sender died mid-send: never resent on its own) and `cancelled` (its campaign was cancelled first).
 */
export type NoticeStatus = 'pending' | 'sent' | 'failed' | 'sending' | 'uncertain' | 'cancelled';

/** An outbox row as stored. */
export interface OutboxRow {
  id: string;
  created_at: Date;
  customer_id: string;
  channel: NoticeChannel;
  template: NoticeTemplate;
  data: Notice['data'];
  attempts: number;
  next_attempt_at: Date;
  status: NoticeStatus;
  last_error: string | null;
  sent_at: Date | null;
  /** The campaign a bulk notice belongs to; null for ordinary notices. */
  campaign_id: string | null;
  /** While a bulk notice is `sending`: when it was claimed (its lease runs from here). */
  claimed_at: Date | null;
}

export const OUTBOX_COLUMNS = `id, created_at, customer_id, channel, template, data, attempts, next_attempt_at, status, last_error, sent_at, campaign_id, claimed_at`;

/** The row's template and data as a typed notice. */
export function noticeOf(row: Pick<OutboxRow, 'template' | 'data'>): Notice {
  return { template: row.template, data: row.data } as Notice;
}
