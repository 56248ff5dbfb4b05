import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { assert } from '../shared/assert.ts';
import { formatYen } from '../shared/yen.ts';
import type { CaseStore } from '../cases/case-store.ts';
import type { NotMeTokens } from '../notify/not-me-token.ts';
import { NOT_ME_TEMPLATES, type ChargeSucceededData, type ConsentRenewedData, type LinkCreatedData, type NoticeTemplate } from '../notify/notice.ts';
import { freezeLink } from '../linking/revoke-link.ts';

/** Why a "not me" link shows nothing and changes nothing; each is a stable code in the error registry. */
export type NotMeRefusal = 'not_me_token_expired' | 'not_me_token_invalid';

/** What a notice told the customer, for the confirmation page and the answer page. */
export interface NotMeFacts {
  operator_name: string;
  branch_code: string;
  /** Last three digits only (maskAccountNumber), as in the notice. */
  account_masked: string;
  /** The charge the notice was about; null for a link notice. */
  charge: { id: string; amount_yen: number; charged_at: string } | null;
  /** When the link was made (ISO 8601); on link notices only. */
  linked_at: string | null;
}

/** A report already made with this notice's token: the case staff work it under. */
export interface NotMeReported {
  case_id: string;
  reported_at: Date;
}

/** What opening a "not me" link shows, read without writing: the facts, and the report if one was made. */
export type NotMePreview =
  | { ok: true; facts: NotMeFacts; reported: NotMeReported | null }
  | { ok: false; code: NotMeRefusal };

/** What confirming a "not me" report did, for the page the customer sees. */
export type NotMeOutcome =
  | {
    ok: true;
    facts: NotMeFacts;
    /** True when this confirmation froze the link; false when it was already frozen or revoked, or already reported. */
    frozen_now: boolean;
    link_status_before: 'active' | 'frozen' | 'revoked';
    /** True when the token was spent before (a second tab, a double submit): nothing changed this time. */
    already_reported: boolean;
    case_id: string;
  }
  | { ok: false; code: NotMeRefusal };

interface NoticeRow {
  id: string;
  customer_id: string;
  template: NoticeTemplate;
  data: LinkCreatedData | ChargeSucceededData | ConsentRenewedData;
}

interface LinkRow {
  id: string;
  status: 'active' | 'frozen' | 'revoked';
  operator_id: string;
  operator_name: string;
  customer_id: string;
}

function factsOf(notice: NoticeRow): NotMeFacts {
  const data = notice.data;
  const charge = notice.template === 'charge_succeeded' ? (data as ChargeSucceededData) : null;
  return {
    operator_name: data.operator_name, branch_code: data.branch_code, account_masked: data.account_masked,
    charge: charge ? { id: charge.charge_id, amount_yen: charge.amount_yen, charged_at: charge.charged_at } : null,
    // A renewal notice's "when" is the renewal: that is what the customer says was not them.
    linked_at: charge ? null : notice.template === 'consent_renewed' ? (data as ConsentRenewedData).renewed_at : (data as LinkCreatedData).linked_at,
  };
}

const NOTICE_QUERY = `SELECT id, customer_id, template, data FROM notification_outbox WHERE id = $1 AND template = ANY($2::text[])`;
const REPORTED_QUERY = `SELECT case_id, reported_at FROM not_me_reports WHERE token_id = $1`;

/**
 * "This wasn't me": `preview` reads what a notice's token is about (a GET, which mail scanners and link previews
 * follow, so it writes nothing); `report` redeems a token from a link or charge notice. In one transaction it spends the token (the
 * insert into not_me_reports is the single-use check, so two racing clicks cannot both count), freezes the link
 * under the same row lock the charge path takes (a batch in flight finishes first; every later one is refused
 * with link_frozen), raises a high-severity alert and opens a dispute case for staff. A refused token changes nothing.
 */
export function createNotMeReports({ db, clock, tokens, cases, log }: {
  db: Database;
  clock: Clock;
  tokens: NotMeTokens;
  cases: Pick<CaseStore, 'openCase' | 'raiseAlert'>;
  log: Logger;
}) {
  return {
    /** What the token's notice said and whether it was reported already; reads only. */
    async preview(token: string): Promise<NotMePreview> {
      const check = await tokens.verify(token);
      if (!check.ok) return { ok: false, code: check.code };
      const [notice] = await db.query<NoticeRow>(NOTICE_QUERY, [check.notice_id, NOT_ME_TEMPLATES]);
      if (!notice) return { ok: false, code: 'not_me_token_invalid' };
      const [reported] = await db.query<{ case_id: string | null; reported_at: Date }>(REPORTED_QUERY, [notice.id]);
      assert(!reported || reported.case_id, 'a report opens its case in the transaction that records it');
      return { ok: true, facts: factsOf(notice), reported: reported ? { case_id: reported.case_id!, reported_at: reported.reported_at } : null };
    },

    /** Confirms the report: freezes the link and opens the case once; a second confirmation answers with the first's case. */
    async report(token: string): Promise<NotMeOutcome> {
      const check = await tokens.verify(token);
      if (!check.ok) return { ok: false, code: check.code };
      const outcome = await db.transaction(async (tx): Promise<NotMeOutcome> => {
        const [notice] = await tx.query<NoticeRow>(NOTICE_QUERY, [check.notice_id, NOT_ME_TEMPLATES]);
        // A genuine signature over a notice this bank never wrote: another deployment's key, or a restored database.
        if (!notice) return { ok: false, code: 'not_me_token_invalid' };
        const data = notice.data;
        const facts = factsOf(notice);
        const charge = notice.template === 'charge_succeeded' ? (data as ChargeSucceededData) : null;
        const [link] = await tx.query<LinkRow>(
          `SELECT l.id, l.status, l.operator_id, o.display_name AS operator_name, a.customer_id
             FROM links l JOIN operators o ON o.id = l.operator_id JOIN bank_accounts a ON a.id = l.account_id
            WHERE l.id = $1 FOR NO KEY UPDATE OF l`,
          [data.link_id],
        );
        assert(link, `notice ${notice.id} names link ${data.link_id}, which exists`);
        assert(link.customer_id === notice.customer_id, 'a notice goes to the holder of the linked account');
        const now = clock.now();
        const spent = await tx.query(
          `INSERT INTO not_me_reports (token_id, customer_id, link_id, charge_id, reported_at, link_status_before)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (token_id) DO NOTHING RETURNING token_id`,
          [notice.id, notice.customer_id, link.id, charge?.charge_id ?? null, now, link.status],
        );
        if (spent.length === 0) {
          // Spent by an earlier confirmation, which committed its case with it (the insert waited for that commit).
          const [first] = await tx.query<{ case_id: string | null; link_status_before: 'active' | 'frozen' | 'revoked' }>(
            `SELECT case_id, link_status_before FROM not_me_reports WHERE token_id = $1`, [notice.id]);
          assert(first?.case_id, 'a spent token has its case');
          return { ok: true, facts, frozen_now: false, link_status_before: first.link_status_before, already_reported: true, case_id: first.case_id };
        }
        await freezeLink(tx, link.id, now);
        const summary = charge
          ? `Customer says a charge of ${formatYen(charge.amount_yen)} by ${link.operator_name} was not them`
          : `Customer says the link to ${link.operator_name} was not them`;
        const alert_ids = await cases.raiseAlert(tx, {
          kind: 'not_me', severity: 'high', summary, customer_id: notice.customer_id, link_id: link.id,
          charge_id: charge?.charge_id ?? null, operator_id: link.operator_id, reason_codes: ['customer_not_me'],
          details: { notice_id: notice.id, template: notice.template, link_status_before: link.status },
        });
        const case_id = await cases.openCase(tx, {
          kind: 'dispute', opened_by: 'customer', summary, customer_id: notice.customer_id, link_id: link.id,
          operator_id: link.operator_id, charge_ids: charge ? [charge.charge_id] : [], alert_ids,
        });
        await tx.query(`UPDATE not_me_reports SET case_id = $2 WHERE token_id = $1`, [notice.id, case_id]);
        return { ok: true, facts, frozen_now: link.status === 'active', link_status_before: link.status, already_reported: false, case_id };
      });
      if (outcome.ok && outcome.already_reported) log.info({ case_id: outcome.case_id }, '"not me" confirmed again; already reported');
      else if (outcome.ok) log.warn({ case_id: outcome.case_id, frozen_now: outcome.frozen_now }, 'customer reported "not me"; link frozen');
      else log.info({ code: outcome.code }, '"not me" token refused');
      return outcome;
    },
  };
}

export type NotMeReports = ReturnType<typeof createNotMeReports>;
