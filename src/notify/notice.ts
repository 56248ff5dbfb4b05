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

/** One message in the outbox: which template, and the data it renders. */
export type Notice =
  | { template: 'link_created'; data: LinkCreatedData }
  | { template: 'charge_succeeded'; data: ChargeSucceededData }
  | { template: CustomerNotice['kind']; data: CustomerNotice };

export type NoticeTemplate = Notice['template'];

/** Notices about a link or a charge: they carry a "this wasn't me" link. */
export const NOT_ME_TEMPLATES: readonly NoticeTemplate[] = ['link_created', 'charge_succeeded'];

/** How a notice reaches the customer. */
export type NoticeChannel = 'email' | 'sms';

/** Delivery status of an outbox row. */
export type NoticeStatus = 'pending' | 'sent' | 'failed';

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
}

export const OUTBOX_COLUMNS = `id, created_at, customer_id, channel, template, data, attempts, next_attempt_at, status, last_error, sent_at`;

/** The row's template and data as a typed notice. */
export function noticeOf(row: Pick<OutboxRow, 'template' | 'data'>): Notice {
  return { template: row.template, data: row.data } as Notice;
}
