import type { OutboxRow } from './notice.ts';

/** An outbox row claimed for sending, with where it goes. */
export type ClaimedNotice = OutboxRow & { email: string; phone: string; name_kanji: string };

/** How sending one claimed row went. */
export type SettledNotice =
  | { id: string; status: 'sent'; sent_at: Date }
  | { id: string; status: 'pending'; next_attempt_at: Date; last_error: string }
  | { id: string; status: 'failed'; last_error: string };

/**
 * Where the dispatcher gets bulk (campaign) notices from: e-mails that go only with the room ordinary notices leave
 * in a dispatch, at the source's own pace, at most once each. The source claims them and records their outcome.
 */
export interface BulkNoticeSource {
  /** Claims up to `room` due bulk e-mails (marking them sending), within its send rate; may claim none. */
  claim(room: number): Promise<ClaimedNotice[]>;
  /** Records how the claimed rows went (sent, back to pending for a retry, or failed) with their campaigns' counts. */
  record(settled: readonly { row: ClaimedNotice; outcome: SettledNotice }[]): Promise<void>;
}
