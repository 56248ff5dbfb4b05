import type { Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { NoticeChannel } from './notice.ts';

/**
 * A new link is told by e-mail (with the "not me" link) and by SMS (without): the phone is the one channel a thief
 * who took over the e-mail address does not also hold, and 2020's victims heard of their links from nobody.
 */
export const LINK_NOTICE_CHANNELS: readonly NoticeChannel[] = ['email', 'sms'];

/** What each notice about a link carries beside the link, operator and masked account: its own fields, read from the link row. */
const LINK_NOTICE_FIELDS = {
  link_created: `'method', l.method, 'charge_yen_max', l.charge_yen_max, 'charges_yen_per_month_max', l.charges_yen_per_month_max, 'linked_at', l.created_at`,
  consent_renewed: `'consent_expires_at', l.consent_expires_at, 'renewed_at', l.consent_renewed_at`,
} as const;

/**
 * Writes a link's notices (a new link, or its consent renewed) into the outbox inside the caller's transaction (the
 * one that wrote the link), so the notice exists exactly when the change does. One statement; the account number is
 * masked in SQL as maskAccountNumber does.
 */
export async function enqueueLinkNotices(
  tx: Queryable, { ids, clock }: { ids: Ids; clock: Clock }, link_id: string, template: keyof typeof LINK_NOTICE_FIELDS = 'link_created',
): Promise<void> {
  const now = clock.now();
  await tx.query(
    `INSERT INTO notification_outbox (id, created_at, customer_id, channel, template, data, next_attempt_at)
     SELECT ch.id, $2, a.customer_id, ch.channel, $5,
            jsonb_build_object('link_id', l.id, 'operator_name', o.display_name, 'branch_code', a.branch_code,
              'account_masked', '****' || right(a.account_number, 3), ${LINK_NOTICE_FIELDS[template]}),
            $2
       FROM links l JOIN operators o ON o.id = l.operator_id JOIN bank_accounts a ON a.id = l.account_id
      CROSS JOIN unnest($3::uuid[], $4::text[]) AS ch (id, channel)
      WHERE l.id = $1`,
    [link_id, now, LINK_NOTICE_CHANNELS.map(() => ids.next()), LINK_NOTICE_CHANNELS, template],
  );
}
