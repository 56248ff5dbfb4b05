import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { BankMetrics } from '../metrics/bank-metrics.ts';
import { assert } from '../shared/assert.ts';
import { retryDelay } from '../shared/retry-delay.ts';
import { createJobBackoff } from '../shared/job-backoff.ts';
import type { SmsChannel } from './sms-channel.ts';
import { MailDeliveryError, type MailChannel } from './mail-channel.ts';
import type { NotMeTokens } from './not-me-token.ts';
import { renderEmail, renderSms } from './notice-templates.ts';
import { NOT_ME_TEMPLATES, OUTBOX_COLUMNS, noticeOf, type NoticeChannel } from './notice.ts';
import type { BulkNoticeSource, ClaimedNotice, SettledNotice } from './bulk-notice-source.ts';

/** Rows one dispatch claims: bounds the time a batch holds its lease and the mails in flight at once. */
export const NOTICE_BATCH_MAX = 50;
/**
 * How long a claimed row is hidden from other dispatchers while this one sends it. Longer than any send can take
 * (SMTP time-outs add up to 25 s), so two processes never send one notice twice; if this process dies mid-send,
 * another picks the row up after the lease (at least once, never lost).
 */
export const NOTICE_CLAIM_LEASE_MS = 60_000;
/** First retry after a failed send; each later one waits twice as long as the one before. */
export const NOTICE_RETRY_DELAY_MS_BASE = 10_000;
/** The longest wait between retries: one hour, so a notice still goes out soon after a long SMTP outage ends. */
export const NOTICE_RETRY_DELAY_MS_MAX = 60 * 60_000;
/** How often the dispatcher looks for due notices when idle: the floor of a notice's latency. */
export const NOTICE_POLL_INTERVAL_MS = 200;
/** Longest last_error kept: a reason for staff, not a log. */
const LAST_ERROR_CHARS_MAX = 500;

/** The wait before the next try of a row that has failed `attempts` times: exponential, capped. */
export function retryDelayMs(attempts: number): number {
  return retryDelay(attempts, { base: NOTICE_RETRY_DELAY_MS_BASE, max: NOTICE_RETRY_DELAY_MS_MAX });
}

/** What one dispatch did. */
export interface DispatchResult {
  claimed: number;
  sent: number;
  retrying: number;
  failed: number;
}

export interface NotificationDispatcherDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  sms: SmsChannel;
  /** Without one, e-mail rows wait in the outbox (and show in outboxLag) until the bank runs with SMTP_URL. */
  mail?: MailChannel;
  tokens: NotMeTokens;
  /** The bank's origin, for the "not me" links. */
  public_url: string;
  metrics?: BankMetrics;
  batch_max?: number;
  poll_interval_ms?: number;
  /** Campaign notices, sent by e-mail with the room ordinary notices leave (src/outreach). */
  bulk?: BulkNoticeSource;
}

type Claimed = ClaimedNotice;
type Settled = SettledNotice;

/**
 * Sends what the outbox holds: claims due rows (FOR UPDATE SKIP LOCKED, then a lease), sends each by e-mail or SMS,
 * and records delivery (sent with its time; or retried with back-off; or failed when the recipient is refused).
 * Several dispatchers in several processes share one outbox without sending a notice twice. Ordinary notices (links,
 * charges, security) are claimed first; bulk campaign e-mails only fill the room left in a dispatch, at the bulk
 * source's rate, so a campaign of millions never delays a charge notice.
 */
export function createNotificationDispatcher(deps: NotificationDispatcherDeps) {
  const { db, clock, log, sms, mail, tokens, public_url, metrics, bulk } = deps;
  const batch_max = deps.batch_max ?? NOTICE_BATCH_MAX;
  const poll_interval_ms = deps.poll_interval_ms ?? NOTICE_POLL_INTERVAL_MS;
  const channels: NoticeChannel[] = mail ? ['email', 'sms'] : ['sms'];

  async function claim(): Promise<Claimed[]> {
    const now = clock.now();
    return db.query<Claimed>(
      `WITH due AS (
         SELECT id FROM notification_outbox
          WHERE status = 'pending' AND campaign_id IS NULL AND next_attempt_at <= $1 AND channel = ANY($2::text[])
          ORDER BY next_attempt_at, id LIMIT $3
          FOR UPDATE SKIP LOCKED)
       UPDATE notification_outbox o SET attempts = o.attempts + 1, next_attempt_at = $4
         FROM due, customers c
        WHERE o.id = due.id AND c.id = o.customer_id
       RETURNING ${OUTBOX_COLUMNS.split(', ').map((column) => `o.${column}`).join(', ')}, c.email, c.phone, c.name_kanji`,
      [now, channels, batch_max, new Date(now.getTime() + NOTICE_CLAIM_LEASE_MS)],
    );
  }

  async function deliver(row: Claimed): Promise<void> {
    const notice = noticeOf(row);
    if (row.channel === 'sms') {
      if (!row.phone) throw new MailDeliveryError('the customer has no phone number', true);
      await sms.send({ to_phone: row.phone, text: renderSms(notice), purpose: row.template });
      return;
    }
    assert(mail, 'e-mail rows are claimed only with a mail channel');
    if (!row.email) throw new MailDeliveryError('the customer has no e-mail address', true);
    const not_me = NOT_ME_TEMPLATES.includes(row.template)
      ? { url: `${public_url}/notices/not-me?token=${await tokens.sign(row)}`, expires_at: tokens.expiresAt(row.created_at) }
      : undefined;
    const { subject, text } = renderEmail(notice, { customer_name: row.name_kanji, ...(not_me ? { not_me } : {}) });
    await mail.send({ to: row.email, subject, text, purpose: row.template });
  }

  async function settle(row: Claimed): Promise<Settled> {
    try {
      await deliver(row);
      const sent_at = clock.now();
      metrics?.notificationLatency.observe({ channel: row.channel }, Math.max(0, sent_at.getTime() - row.created_at.getTime()) / 1000);
      log.info({ notice_id: row.id, customer_id: row.customer_id, channel: row.channel, purpose: row.template, attempts: row.attempts }, 'notice sent');
      return { id: row.id, status: 'sent', sent_at };
    } catch (error) {
      const last_error = (error instanceof Error ? error.message : String(error)).slice(0, LAST_ERROR_CHARS_MAX) || 'unknown error';
      if (error instanceof MailDeliveryError && error.permanent) {
        log.warn({ notice_id: row.id, customer_id: row.customer_id, channel: row.channel, last_error }, 'notice refused for good');
        return { id: row.id, status: 'failed', last_error };
      }
      const next_attempt_at = new Date(clock.now().getTime() + retryDelayMs(row.attempts));
      log.warn({ notice_id: row.id, channel: row.channel, attempts: row.attempts, next_attempt_at, last_error }, 'notice not sent; will retry');
      return { id: row.id, status: 'pending', next_attempt_at, last_error };
    }
  }

  async function record(settled: Settled[]): Promise<void> {
    if (settled.length === 0) return;
    await db.query(
      `UPDATE notification_outbox o
          SET status = t.status, sent_at = t.sent_at, last_error = t.last_error,
              next_attempt_at = coalesce(t.next_attempt_at, o.next_attempt_at)
         FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[])
                AS t (id, status, sent_at, next_attempt_at, last_error)
        WHERE o.id = t.id AND o.status = 'pending'`,
      [
        settled.map((s) => s.id), settled.map((s) => s.status),
        settled.map((s) => (s.status === 'sent' ? s.sent_at : null)),
        settled.map((s) => (s.status === 'pending' ? s.next_attempt_at : null)),
        settled.map((s) => (s.status === 'sent' ? null : s.last_error)),
      ],
    );
  }

  async function measureLag(): Promise<void> {
    if (!metrics) return;
    const [row] = await db.query<{ oldest: Date | null }>(`SELECT min(created_at) AS oldest FROM notification_outbox WHERE status = 'pending' AND campaign_id IS NULL`);
    metrics.outboxLag.set(row?.oldest ? Math.max(0, clock.now().getTime() - row.oldest.getTime()) / 1000 : 0);
  }

  /**
   * Outcomes of sends whose recording failed (the database went away between the send and the UPDATE). They are
   * recorded before anything new is claimed, so an outage shorter than the lease does not send them twice; if the
   * process dies first, the lease runs out and ordinary ones go again (at least once), bulk ones turn uncertain.
   */
  let unrecorded: Settled[] = [];
  let unrecordedBulk: { row: ClaimedNotice; outcome: SettledNotice }[] = [];

  /**
   * Claims up to one batch of due notices (ordinary ones first, then bulk e-mails in the room left), sends them and
   * records the outcome. Tests call this instead of sleeping.
   */
  async function dispatchOnce(): Promise<DispatchResult> {
    if (unrecorded.length > 0) {
      await record(unrecorded);
      unrecorded = [];
    }
    if (bulk && unrecordedBulk.length > 0) {
      await bulk.record(unrecordedBulk);
      unrecordedBulk = [];
    }
    const ordinary = await claim();
    const room = batch_max - ordinary.length;
    const bulkRows = bulk && mail && room > 0 ? await bulk.claim(room) : [];
    const claimed = [...ordinary, ...bulkRows];
    const settled = await Promise.all(claimed.map(settle));
    const bulkSettled = bulkRows.map((row, index) => ({ row, outcome: settled[ordinary.length + index]! }));
    try {
      await record(settled.slice(0, ordinary.length));
      if (bulk && bulkSettled.length > 0) await bulk.record(bulkSettled);
    } catch (error) {
      unrecorded = settled.slice(0, ordinary.length);
      unrecordedBulk = bulkSettled;
      throw error;
    }
    await measureLag();
    return {
      claimed: claimed.length,
      sent: settled.filter((s) => s.status === 'sent').length,
      retrying: settled.filter((s) => s.status === 'pending').length,
      failed: settled.filter((s) => s.status === 'failed').length,
    };
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  const backoff = createJobBackoff({ log, job: 'notification dispatch', interval_ms: poll_interval_ms });

  async function loop(): Promise<void> {
    let delay_ms = poll_interval_ms;
    try {
      // A full batch means more are due: go again at once; otherwise wait for the next poll.
      if ((await dispatchOnce()).claimed >= batch_max) delay_ms = 0;
      backoff.succeeded();
    } catch (error) {
      delay_ms = backoff.failed(error);
    }
    if (!stopped) timer = setTimeout(tick, delay_ms).unref();
  }

  function tick() {
    timer = undefined;
    running = loop().finally(() => {
      running = undefined;
    });
  }

  return {
    dispatchOnce,
    /** Starts polling; the app starts it and stops it on close. */
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setTimeout(tick, 0);
      // Polling must not keep a process alive that has nothing else to do.
      timer.unref();
    },
    /** Stops polling and waits for a dispatch in flight, so the database can close after. */
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

export type NotificationDispatcher = ReturnType<typeof createNotificationDispatcher>;
