import { enqueueChargeNotices } from '../notify/enqueue-charge-notices.ts';
import type { Database, Queryable } from '../storage/database.ts';
import type { Ledger } from '../ledger/ledger-types.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import { assert } from '../shared/assert.ts';
import { formatYen } from '../shared/yen.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import { TransferCode } from '../bank/chart-of-accounts.ts';
import { japanMonth } from '../charges/steps/limits.ts';
import { CHARGE_COLUMNS, type Charge, type ChargeStatus } from '../charges/charge.ts';
import { maskAccountNumber } from '../linking/link.ts';
import type { SmsChannel } from '../notify/sms-channel.ts';
import type { SecondFactors } from '../mfa/second-factors.ts';
import type { PasskeyRefusalCode } from '../mfa/passkey.ts';
import type { FactorGate, FactorGateRefusal } from '../mfa/factor-gate.ts';
import type { NewAlert } from '../cases/alert.ts';
import { recordChargeHistory } from '../risk/charge-history.ts';
import { enqueueWebhook, enqueueWebhooks, type WebhookEventType } from '../webhooks/webhook-event.ts';
import { stepUpPurpose } from './step-up-purpose.ts';
import { waitingChargeText } from './step-up-notice.ts';
import { freezeLink } from '../linking/revoke-link.ts';
import { factorsForNewLinkCharge, NEW_LINK_CODE_COOLING_OFF_MS, type FactorsForAct } from '../mfa/factor-policy.ts';
import type { SecondFactorKind } from '../mfa/second-factor.ts';

/** Charges one expiry pass settles per transaction: a backlog after downtime becomes several short transactions. */
export const EXPIRED_CHARGES_PER_PASS_MAX = 500;

/** A waiting charge as the approval page shows it: exactly what is being approved, and to whom. */
export interface ApprovalView {
  charge_id: string;
  status: ChargeStatus;
  amount_yen: number;
  payee_operator_id: string;
  payee_name: string;
  /** What the passbook line will say. */
  passbook_label: string;
  account_masked: string;
  created_at: Date;
  expires_at: Date | null;
  /** When the charged link was made: a typed code approves none of its charges in the link's first day. */
  link_made_at: Date;
}

/** What an approval or decline came to, as a value. */
export type ApprovalOutcome =
  | { ok: true; status: ChargeStatus }
  | { ok: false; code: 'approval_not_found' | 'approval_not_waiting' | 'second_factor_failed' | 'second_factor_locked' | 'step_up_binding_mismatch' | 'too_many_attempts' | 'new_link_cooling_off' | PasskeyRefusalCode | FactorGateRefusal };

/** The second factor an approval offers: a typed code, or a passkey answer to a challenge issued in this session. */
export type ApprovalProof = { factor: 'sms' | 'totp'; code: string } | { factor: 'passkey'; response: string; bound_to: string };

export interface StepUpApprovalsDeps {
  db: Database;
  ledger: Ledger;
  clock: Clock;
  ids: Ids;
  log: Logger;
  secondFactors: SecondFactors;
  /** Which factor may approve a charge (a stronger one enrolled, cooling-off) and the SIM-swap check for SMS. */
  factorGate: FactorGate;
  sms: SmsChannel;
  /** The bank's public origin, for the approval link in the SMS. */
  public_url: string;
  /** Where alerts go (src/cases raiseAlert), in the caller's transaction; none when no case store is wired. */
  raiseAlerts?: (tx: Queryable, alerts: readonly NewAlert[]) => Promise<unknown>;
  /** How long after a link is made a typed code approves none of its charges; NEW_LINK_CODE_COOLING_OFF_MS unless set (0: off). */
  new_link_code_cooling_off_ms?: number;
}

interface WaitingRow {
  id: string;
  status: ChargeStatus;
  amount_yen: number;
  operator_id: string;
  link_id: string;
  account_id: string;
  customer_id: string;
  created_at: Date;
  approval_expires_at: Date | null;
  link_made_at: Date;
  display_name: string;
  passbook_label: string;
  account_number: string;
  phone: string;
}

const WAITING_SELECT = `SELECT c.id, c.status, c.amount_yen, c.operator_id, c.link_id, c.account_id, a.customer_id, c.created_at,
         c.approval_expires_at, l.created_at AS link_made_at, o.display_name, o.passbook_label, a.account_number, cu.phone
    FROM charges c JOIN operators o ON o.id = c.operator_id JOIN bank_accounts a ON a.id = c.account_id JOIN customers cu ON cu.id = a.customer_id
    JOIN links l ON l.id = c.link_id`;

const EVENT_FOR_STATUS: Partial<Record<ChargeStatus, WebhookEventType>> = { succeeded: 'charge.succeeded', declined: 'charge.declined', expired: 'charge.expired' };

/**
 * Step-up approval with dynamic linking, and staff review of held charges. A waiting charge is a pending ledger
 * transfer; approving posts it, declining or timing out voids it, each in one transaction with the charge's new
 * status, the monthly total, the history the risk features read, and the operator's webhook.
 */
export function createStepUpApprovals({ db, ledger, clock, ids, log, secondFactors, factorGate, sms, public_url, raiseAlerts,
  new_link_code_cooling_off_ms = NEW_LINK_CODE_COOLING_OFF_MS }: StepUpApprovalsDeps) {
  async function waiting(charge_id: string): Promise<WaitingRow | undefined> {
    if (!isUuid(charge_id)) return undefined;
    const [row] = await db.query<WaitingRow>(`${WAITING_SELECT} WHERE c.id = $1`, [charge_id]);
    return row;
  }

  const viewOf = (row: WaitingRow): ApprovalView => ({
    charge_id: row.id, status: row.status, amount_yen: row.amount_yen, payee_operator_id: row.operator_id, payee_name: row.display_name,
    passbook_label: row.passbook_label, account_masked: maskAccountNumber(row.account_number), created_at: row.created_at, expires_at: row.approval_expires_at,
    link_made_at: row.link_made_at,
  });

  /**
   * Gives reservations back to their links' months (the money never left): summed per link and Japan month here,
   * then one UPDATE for them all, its rows in (link, month) order.
   */
  async function releaseMonthlyTotals(tx: Queryable, rows: readonly { link_id: string; created_at: Date; amount_yen: number }[]): Promise<void> {
    const totals = new Map<string, { link_id: string; month: string; amount_yen: number }>();
    for (const row of rows) {
      const month = japanMonth(row.created_at);
      const key = `${row.link_id}:${month}`;
      const total = totals.get(key) ?? { link_id: row.link_id, month, amount_yen: 0 };
      total.amount_yen += row.amount_yen;
      totals.set(key, total);
    }
    if (totals.size === 0) return;
    const sorted = [...totals.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, total]) => total);
    await tx.query(
      `UPDATE link_monthly_totals m SET charged_yen = m.charged_yen - t.amount_yen
         FROM unnest($1::uuid[], $2::date[], $3::bigint[]) AS t (link_id, month, amount_yen)
        WHERE m.link_id = t.link_id AND m.month = t.month`,
      [sorted.map((t) => t.link_id), sorted.map((t) => t.month), sorted.map((t) => t.amount_yen)],
    );
  }

  /**
   * Posts (approve) or voids (decline) a charge still in `expect`, under the charge row's lock. An approval of a
   * charge whose link was revoked or frozen meanwhile, or whose operator's charges were suspended, voids instead;
   * one whose reservation ran out becomes expired.
   */
  async function settle(charge_id: string, expect: 'pending_approval' | 'held', intent: 'approve' | 'decline', resolved_by: string, alert?: (row: WaitingRow) => NewAlert,
    { freeze_link = false }: { freeze_link?: boolean } = {}) {
    if (!isUuid(charge_id)) return undefined;
    const settled = await db.transaction(async (tx) => {
      const [row] = await tx.query<WaitingRow & { link_status: string; charges_suspended: boolean }>(
        `SELECT c.id, c.status, c.amount_yen, c.operator_id, c.link_id, c.account_id, a.customer_id, c.created_at, c.approval_expires_at,
                o.display_name, o.passbook_label, o.charges_suspended, l.status AS link_status
           FROM charges c JOIN operators o ON o.id = c.operator_id JOIN links l ON l.id = c.link_id JOIN bank_accounts a ON a.id = c.account_id
          WHERE c.id = $1 FOR UPDATE OF c`,
        [charge_id],
      );
      if (!row || row.status !== expect) return undefined;
      let post = intent === 'approve';
      let by = resolved_by;
      if (post && row.link_status !== 'active') [post, by] = [false, `link_${row.link_status}`];
      if (post && row.charges_suspended) [post, by] = [false, 'charges_suspended'];
      const [result] = await ledger.applyTransfers(tx, [{
        id: ids.next(), pending_id: row.id, code: TransferCode.charge,
        flags: post ? { post_pending_transfer: true } : { void_pending_transfer: true },
      }]);
      let status: ChargeStatus;
      if (result === 'ok') status = post ? 'succeeded' : 'declined';
      else if (result === 'pending_transfer_expired') [status, by] = ['expired', 'timeout'];
      else throw new Error(`settling charge ${row.id}: the ledger answered ${result}`);
      const now = clock.now();
      const [charge] = await tx.query<Charge>(
        `UPDATE charges SET status = $2, resolved_at = $3, resolved_by = $4 WHERE id = $1 RETURNING ${CHARGE_COLUMNS}`,
        [row.id, status, now, by],
      );
      assert(charge, 'the locked charge is updated');
      if (status === 'succeeded') {
        // The passbook prints a posted reservation under the pending transfer's id (src/bank/passbook.ts).
        await tx.query(`INSERT INTO passbook_labels (transfer_id, label) VALUES ($1, $2) ON CONFLICT (transfer_id) DO NOTHING`, [row.id, row.passbook_label]);
        await recordChargeHistory(tx, [{ customer_id: row.customer_id, operator_id: row.operator_id, link_id: row.link_id, amount_yen: row.amount_yen, confirmed: true }], now);
        // The money moves now, so the customer is told now, in the same transaction, like any charge (DESIGN.md step 7).
        await enqueueChargeNotices(tx, now, [{
          notice_id: ids.next(), charge_id: row.id, link_id: row.link_id, account_id: row.account_id,
          operator_name: row.display_name, passbook_label: row.passbook_label, amount_yen: row.amount_yen,
        }]);
      } else {
        await releaseMonthlyTotals(tx, [row]);
      }
      await enqueueWebhook(tx, { id: ids.next(), operator_id: row.operator_id, type: EVENT_FOR_STATUS[status]!, charge, at: now });
      // The holder says the charge is not theirs: whoever holds the link would only try again, as after a "not me".
      // Its other waiting charges then void when settled (the link is no longer active); staff unfreeze it.
      if (freeze_link) await freezeLink(tx, row.link_id, now);
      if (alert && raiseAlerts) await raiseAlerts(tx, [alert(row)]);
      return { status, by };
    });
    if (!settled) return undefined;
    log.info({ charge_id, status: settled.status, resolved_by: settled.by }, 'waiting charge settled');
    // A reservation that ran out is released by the ledger's expiry, not by a void.
    if (settled.status === 'expired') await ledger.expirePendingTransfers();
    return settled;
  }

  /** The customer's own waiting or settled charge, for the approval page; undefined if it is not theirs. */
  async function view(customer_id: string, charge_id: string): Promise<ApprovalView | undefined> {
    const row = await waiting(charge_id);
    return row && row.customer_id === customer_id ? viewOf(row) : undefined;
  }

  /** The factors that may approve this charge: the customer's for a step-up, less typed codes while its link is new. */
  const factorChoices = async (customer_id: string, shown: ApprovalView): Promise<FactorsForAct> =>
    factorsForNewLinkCharge(await factorGate.choices(customer_id, 'step_up'), shown.link_made_at, clock.now(), new_link_code_cooling_off_ms);

  /** A factor refused for this charge because its link is new; checked before a code is sent or compared. */
  const newLinkRefusal = async (customer_id: string, shown: ApprovalView, factor: SecondFactorKind): Promise<{ ok: false; code: 'new_link_cooling_off' } | undefined> => {
    const { refused } = await factorChoices(customer_id, shown);
    if (!refused.some((refusal) => refusal.factor === factor && refusal.reason === 'new_link_cooling_off')) return undefined;
    log.info({ charge_id: shown.charge_id, customer_id, factor }, 'a typed code refused for a charge on a link made less than a day ago');
    return { ok: false, code: 'new_link_cooling_off' };
  };

  return {
    view,
    factorChoices,

    /** Tells the customer a charge waits for them (challenge) or for staff (hold), by SMS to the registered phone. */
    async notifyWaiting(charge_id: string): Promise<void> {
      const row = await waiting(charge_id);
      assert(row, `charge ${charge_id} exists`);
      if (row.status !== 'pending_approval' && row.status !== 'held') return;
      const text = waitingChargeText({
        status: row.status, payee: row.display_name, amount_yen: row.amount_yen,
        approval_url: `${public_url}/bank/approvals/${row.id}`, expires_at: row.approval_expires_at ?? clock.now(),
      });
      await sms.send({ to_phone: row.phone, text, purpose: row.status === 'held' ? 'charge_held' : 'charge_approval' });
    },

    /** Sends the SMS code bound to this charge's amount and payee. */
    async sendCode(customer_id: string, charge_id: string): Promise<
      { ok: true; resend_at: Date } | { ok: false; code: 'approval_not_found' | 'approval_not_waiting' | 'second_factor_locked' | 'new_link_cooling_off' | FactorGateRefusal } | { ok: false; code: 'too_many_attempts'; resend_at: Date }
    > {
      const found = await view(customer_id, charge_id);
      if (!found) return { ok: false, code: 'approval_not_found' };
      if (found.status !== 'pending_approval') return { ok: false, code: 'approval_not_waiting' };
      const tooNew = await newLinkRefusal(customer_id, found, 'sms');
      if (tooNew) return tooNew;
      // No code goes to a number the customer may not use here, nor to a SIM the carrier says was just swapped.
      const permitted = await factorGate.permit(customer_id, 'step_up', 'sms', { charge_id, operator_id: found.payee_operator_id });
      if (!permitted.ok) return permitted;
      const sent = await secondFactors.sendSmsCode(customer_id, stepUpPurpose({ charge_id, amount_yen: found.amount_yen, payee_operator_id: found.payee_operator_id }), {
        ja: `${found.payee_name}への${formatYen(found.amount_yen)}のお支払いの承認`,
        en: `approving a payment of ${formatYen(found.amount_yen)} to ${found.payee_name}`,
      });
      return sent.ok ? { ok: true, resend_at: sent.resend_at } : sent;
    },

    /**
     * Options for approving this charge with a passkey in this session: the challenge is bound to the charge, the amount
     * and the payee shown (as an SMS code is), so an answer made for one charge approves no other.
     */
    async passkeyOptions(customer_id: string, view_shown: { charge_id: string; amount_yen: number; payee_operator_id: string }, bound_to: string) {
      return secondFactors.passkeyOptions(customer_id, stepUpPurpose(view_shown), bound_to);
    },

    /** The live SMS code for this charge, if one was sent: the approval page shows where it went and the resend timer. */
    async codeSent(customer_id: string, view_shown: { charge_id: string; amount_yen: number; payee_operator_id: string }) {
      return secondFactors.smsCodeSent(customer_id, stepUpPurpose(view_shown));
    },

    /**
     * Approves a challenged charge with a second factor, bound to the amount and payee the customer was shown
     * (PSD2 RTS Art. 5): an SMS code verifies only for the purpose derived from those, and with either factor
     * they must equal the charge's. Any mismatch moves nothing.
     */
    async approve(customer_id: string, charge_id: string, shown: { amount_yen: number; payee_operator_id: string } & ApprovalProof): Promise<ApprovalOutcome> {
      const found = await view(customer_id, charge_id);
      if (!found) return { ok: false, code: 'approval_not_found' };
      if (found.status !== 'pending_approval') return { ok: false, code: 'approval_not_waiting' };
      const tooNew = await newLinkRefusal(customer_id, found, shown.factor);
      if (tooNew) return tooNew;
      const purpose = stepUpPurpose({ charge_id, amount_yen: shown.amount_yen, payee_operator_id: shown.payee_operator_id });
      const verified = await factorGate.verify(customer_id, 'step_up', shown.factor === 'sms' ? { factor: 'sms', code: shown.code, purpose }
        : shown.factor === 'passkey' ? { factor: 'passkey', response: shown.response, purpose, bound_to: shown.bound_to } : { factor: 'totp', code: shown.code },
        { charge_id, operator_id: found.payee_operator_id });
      if (!verified.ok) return verified;
      if (shown.amount_yen !== found.amount_yen || shown.payee_operator_id !== found.payee_operator_id) {
        log.warn({ charge_id, customer_id }, 'step-up approval for another amount or payee refused');
        return { ok: false, code: 'step_up_binding_mismatch' };
      }
      const settled = await settle(charge_id, 'pending_approval', 'approve', 'customer');
      return settled ? { ok: true, status: settled.status } : { ok: false, code: 'approval_not_waiting' };
    },

    /**
     * The customer says no: the reservation is voided, the link is frozen (as a "not me" freezes it) and staff get an
     * alert, since this may be theft in progress: a thief holding the link, and perhaps relaying the customer's codes.
     */
    async decline(customer_id: string, charge_id: string): Promise<ApprovalOutcome> {
      const found = await view(customer_id, charge_id);
      if (!found) return { ok: false, code: 'approval_not_found' };
      const settled = await settle(charge_id, 'pending_approval', 'decline', 'customer', (row) => ({
        kind: 'risk_challenge', severity: 'high', summary: `Customer declined ${formatYen(row.amount_yen)} to ${row.display_name}; link frozen`,
        customer_id: row.customer_id, link_id: row.link_id, charge_id: row.id, operator_id: row.operator_id, reason_codes: ['customer_declined_step_up'],
      }), { freeze_link: true });
      return settled ? { ok: true, status: settled.status } : { ok: false, code: 'approval_not_waiting' };
    },

    /** Staff release a held charge: the money moves (unless the link or operator was stopped meanwhile). */
    async approveHeld(charge_id: string, { by }: { by: string }): Promise<ApprovalOutcome> {
      assert(by.length > 0, 'a staff decision names who made it');
      const settled = await settle(charge_id, 'held', 'approve', `staff:${by}`);
      return settled ? { ok: true, status: settled.status } : { ok: false, code: (await waiting(charge_id)) ? 'approval_not_waiting' : 'approval_not_found' };
    },

    /** Staff refuse a held charge: the reservation is voided and the money stays with the customer. */
    async denyHeld(charge_id: string, { by }: { by: string }): Promise<ApprovalOutcome> {
      assert(by.length > 0, 'a staff decision names who made it');
      const settled = await settle(charge_id, 'held', 'decline', `staff:${by}`);
      return settled ? { ok: true, status: settled.status } : { ok: false, code: (await waiting(charge_id)) ? 'approval_not_waiting' : 'approval_not_found' };
    },

    /**
     * Times out waiting charges: the ledger releases reservations past their timeout, then their charges become
     * expired (monthly totals given back, operators' webhooks written), in chunks. Returns how many expired.
     */
    async expireDue(): Promise<number> {
      await ledger.expirePendingTransfers();
      let expired_count = 0;
      for (;;) {
        const chunk = await db.transaction(async (tx) => {
          const now = clock.now();
          const rows = await tx.query<Charge & { operator_id: string; customer_id: string; was: 'pending_approval' | 'held' }>(
            `UPDATE charges c SET status = 'expired', resolved_at = $1, resolved_by = 'timeout'
               FROM (SELECT c2.id, c2.status AS was, a.customer_id
                       FROM charges c2 JOIN ledger_pending_transfers p ON p.id = c2.id JOIN bank_accounts a ON a.id = c2.account_id
                      WHERE c2.status IN ('pending_approval', 'held') AND c2.approval_expires_at <= $1 AND p.state = 'expired'
                      ORDER BY c2.id LIMIT $2 FOR UPDATE OF c2 SKIP LOCKED) due
              WHERE c.id = due.id
              RETURNING ${CHARGE_COLUMNS.split(', ').map((column) => `c.${column}`).join(', ')}, c.operator_id, due.customer_id, due.was`,
            [now, EXPIRED_CHARGES_PER_PASS_MAX],
          );
          // A chunk is four statements however many charges it holds: the update above, the totals, the webhooks, the alerts.
          await releaseMonthlyTotals(tx, rows);
          await enqueueWebhooks(tx, rows.map(({ operator_id, customer_id: _customer, was: _was, ...charge }) => ({ id: ids.next(), operator_id, type: 'charge.expired' as const, charge, at: now })));
          // A challenge nobody approved is either a customer who missed it or a thief who could not pass it: staff look.
          const unanswered = rows.filter((row) => row.was === 'pending_approval');
          if (unanswered.length > 0 && raiseAlerts) {
            await raiseAlerts(tx, unanswered.map((row) => ({
              kind: 'risk_challenge_expired' as const, severity: 'medium' as const, at: now, customer_id: row.customer_id, link_id: row.link_id,
              charge_id: row.id, operator_id: row.operator_id, reason_codes: ['challenge_expired'],
              summary: `A challenged charge of ${formatYen(row.amount_yen)} expired without the customer's approval`,
            })));
          }
          return rows.length;
        });
        expired_count += chunk;
        if (chunk < EXPIRED_CHARGES_PER_PASS_MAX) break;
      }
      if (expired_count > 0) log.info({ expired_count }, 'waiting charges expired');
      return expired_count;
    },
  };
}

export type StepUpApprovals = ReturnType<typeof createStepUpApprovals>;
