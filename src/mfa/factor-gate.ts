import type { NewAlert } from '../cases/alert.ts';
import type { Database, Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import type { SimSwapApi } from '../telecom/sim-swap-api.ts';
import { checkSimSwap, latestSimChange, SIM_SWAP_TIMEOUT_MS, SIM_SWAP_WINDOW_HOURS } from '../telecom/sim-swap-check.ts';
import type { SecondFactors } from './second-factors.ts';
import type { SecondFactorKind, SecondFactorProof, SecondFactorResult } from './second-factor.ts';
import { factorsForAct, type FactorAct, type FactorsForAct } from './factor-policy.ts';

/** Why the gate refused a factor before looking at its code. */
export type FactorGateRefusal =
  /** The policy: a stronger factor is enrolled, or this one is in its cooling-off (src/mfa/factor-policy.ts). */
  | 'second_factor_not_allowed'
  /** The carrier says the SIM for the phone on record was swapped within SIM_SWAP_WINDOW_HOURS. */
  | 'sim_swap_detected'
  /** The carrier's SIM Swap API failed or was slow: SMS is not trusted for this act. */
  | 'sim_swap_check_unavailable';

const GATE_REFUSALS: readonly string[] = ['second_factor_not_allowed', 'sim_swap_detected', 'sim_swap_check_unavailable'] satisfies FactorGateRefusal[];

/** Was a factor refused by the gate (policy or carrier), rather than for its code? */
export const isFactorGateRefusal = (code: string): code is FactorGateRefusal => GATE_REFUSALS.includes(code);

/** What a factor may do for an act: go ahead, or a refusal with its stable code. */
export type FactorPermit = { ok: true } | { ok: false; code: FactorGateRefusal };

/** What the act is about, for the staff alert a swap raises. */
export interface FactorActContext {
  charge_id?: string;
  operator_id?: string;
}

export interface FactorGateDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  secondFactors: SecondFactors;
  simSwap: SimSwapApi;
  /** Where a swap's alert goes (src/cases raiseAlert); none when no case store is wired. */
  raiseAlerts?: (tx: Queryable, alerts: readonly NewAlert[]) => Promise<unknown>;
  /** The carrier's deadline; SIM_SWAP_TIMEOUT_MS unless a test shortens it. */
  sim_swap_timeout_ms?: number;
}

/**
 * The one door to a second factor for a link, a step-up or a new factor: which factors the customer may use
 * (factor-policy), whether the phone number behind SMS was just swapped (the carrier's SIM Swap API, asked only
 * when SMS is about to be sent or checked), then the code itself (second-factors).
 */
export function createFactorGate({ db, clock, log, secondFactors, simSwap, raiseAlerts, sim_swap_timeout_ms = SIM_SWAP_TIMEOUT_MS }: FactorGateDeps) {
  /** The customer's factors for `act`, split into those allowed and those held but refused. */
  const choices = async (customer_id: string, act: FactorAct): Promise<FactorsForAct> =>
    factorsForAct(await secondFactors.listFactors(customer_id), act, clock.now());

  /** Asks the carrier about the phone on record; a swap raises a staff alert, since it is theft in progress or a lost phone. */
  const smsNumberTrusted = async (customer_id: string, act: FactorAct, context: FactorActContext): Promise<FactorPermit> => {
    const [customer] = await db.query<{ phone: string }>(`SELECT phone FROM customers WHERE id = $1`, [customer_id]);
    if (!customer) return { ok: false, code: 'second_factor_not_allowed' };
    const status = await checkSimSwap({ api: simSwap, log }, customer.phone, { timeout_ms: sim_swap_timeout_ms });
    if (status === 'not_swapped') return { ok: true };
    if (status === 'unknown') return { ok: false, code: 'sim_swap_check_unavailable' };
    log.warn({ customer_id, act, ...context }, 'SMS refused: the SIM behind the phone on record was swapped recently');
    if (raiseAlerts) {
      await db.transaction((tx) => raiseAlerts(tx, [{
        kind: 'sim_swap_detected', severity: 'high', customer_id, charge_id: context.charge_id ?? null, operator_id: context.operator_id ?? null,
        reason_codes: ['sim_swap_detected', `sms_refused_for_${act}`],
        summary: `SMS refused for ${act.replace('_', ' ')}: the carrier reports a SIM swap on the customer's number within ${SIM_SWAP_WINDOW_HOURS} h`,
        details: { act, window_hours: SIM_SWAP_WINDOW_HOURS, see: `/staff/customers/${customer_id}` },
      }]));
    }
    return { ok: false, code: 'sim_swap_detected' };
  };

  /** May `factor` be used for `act` now? The policy first; for SMS, then the carrier. Call before sending a code. */
  const permit = async (customer_id: string, act: FactorAct, factor: SecondFactorKind, context: FactorActContext = {}): Promise<FactorPermit> => {
    if (!isUuid(customer_id)) return { ok: false, code: 'second_factor_not_allowed' };
    const { allowed } = await choices(customer_id, act);
    if (!allowed.some((held) => held.factor === factor)) return { ok: false, code: 'second_factor_not_allowed' };
    return factor === 'sms' ? smsNumberTrusted(customer_id, act, context) : { ok: true };
  };

  return {
    choices,
    permit,

    /**
     * When the carrier last changed the SIM behind the customer's number: asked when a link is approved by SMS and
     * kept on the link, so its charges know how soon after a SIM change the code was typed (a thief who waited out
     * SIM_SWAP_WINDOW_HOURS). Null when the carrier knows of no change; a refusal when it cannot say (fail safe,
     * as for the check).
     */
    async simChangedAt(customer_id: string): Promise<{ ok: true; at: Date | null } | { ok: false; code: 'sim_swap_check_unavailable' }> {
      const [customer] = await db.query<{ phone: string }>(`SELECT phone FROM customers WHERE id = $1`, [customer_id]);
      if (!customer) return { ok: true, at: null };
      const at = await latestSimChange({ api: simSwap, log }, customer.phone, { timeout_ms: sim_swap_timeout_ms });
      return at === 'unknown' ? { ok: false, code: 'sim_swap_check_unavailable' } : { ok: true, at };
    },

    /** Checks a factor's code for `act`, after `permit`: a refused factor's code is not even compared (nor counted as a failure). */
    async verify(customer_id: string, act: FactorAct, proof: SecondFactorProof, context: FactorActContext = {}): Promise<SecondFactorResult | { ok: false; code: FactorGateRefusal }> {
      const permitted = await permit(customer_id, act, proof.factor, context);
      if (!permitted.ok) return permitted;
      return secondFactors.verify(customer_id, proof);
    },

    /** Confirms a new authenticator, vouched for by a factor the policy allows for enrolling one (the SIM checked for SMS). */
    async confirmTotpEnrolment(customer_id: string, code: string, existing: Exclude<SecondFactorProof, { factor: 'passkey' }>) {
      const permitted = await permit(customer_id, 'enrol_factor', existing.factor);
      if (!permitted.ok) return permitted;
      return secondFactors.confirmTotpEnrolment(customer_id, code, existing);
    },
  };
}

export type FactorGate = ReturnType<typeof createFactorGate>;
