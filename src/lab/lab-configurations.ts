import type { RiskConfig, RiskMode } from '../risk/risk-config.ts';
import { DEFAULT_RISK_CONFIG } from '../risk/default-risk-config.ts';
import type { LabOperatorPolicy } from './lab-operator.ts';
import type { ContainmentPolicy } from '../throttle/reverse-brute-force-containment.ts';
import { NEW_LINK_CODE_COOLING_OFF_MS } from '../mfa/factor-policy.ts';
import { HOUR_MS } from './lab-time.ts';

/** A bank configuration a scenario runs against: the operators' link policy and the risk pipeline's config and mode. */
export interface LabConfiguration {
  id: string;
  /** The shipped configuration it starts from: its own id for a shipped one. */
  based_on: '2020' | 'hardened';
  /** One line for `furikae lab list` and the report. */
  describes: string;
  operator_policy: LabOperatorPolicy;
  risk: { mode: RiskMode; config: RiskConfig };
  /** What a reverse brute force does to the operators it came through (src/throttle/reverse-brute-force-containment.ts). */
  reverse_brute_force_containment: ContainmentPolicy;
  /** Whether the bank asks the carrier's SIM Swap API before trusting an SMS code (src/telecom/); 2020 had no such API. */
  asks_carrier_about_sim_swaps: boolean;
  /** Hours after a link is made during which a typed code approves none of its charges (src/mfa/factor-policy.ts); 0 in 2020. */
  new_link_code_cooling_off_hours: number;
}

/**
 * The configurations the lab ships. Each is what the bank's own settings can express: the per-operator link
 * policy, the risk pipeline's config and mode, and the containment after a reverse brute force. The credential
 * throttle's limits and the customer notices have no switch, so they are on in both: the 2020 configuration is
 * today's bank with the 2020 operator policy, the risk rules only watching, and staff alerted but left to act
 * (in 2020 the spray went on after the alert).
 */
export const LAB_CONFIGURATIONS: readonly LabConfiguration[] = [
  {
    id: '2020',
    based_on: '2020',
    describes: 'the 2020 operator policy: links with account number and PIN, no KYC; risk rules record but do not act',
    operator_policy: { link_methods: ['legacy_pin'], kyc_level_min: 'none' },
    risk: { mode: 'observe', config: DEFAULT_RISK_CONFIG },
    reverse_brute_force_containment: 'alert_only',
    asks_carrier_about_sim_swaps: false,
    new_link_code_cooling_off_hours: 0,
  },
  {
    id: 'hardened',
    based_on: 'hardened',
    describes: 'the default: FAPI 2.0 consent at the bank with MFA, eKYC at the operator, operators\' server addresses registered, the risk rules enforced',
    operator_policy: { link_methods: ['fapi2'], kyc_level_min: 'ekyc_document_face', registers_server_address: true },
    risk: { mode: 'enforce', config: DEFAULT_RISK_CONFIG },
    reverse_brute_force_containment: 'suspend_new_links',
    asks_carrier_about_sim_swaps: true,
    new_link_code_cooling_off_hours: NEW_LINK_CODE_COOLING_OFF_MS / HOUR_MS,
  },
];

/** The shipped configuration with this id, or undefined. */
export function shippedConfiguration(id: string): LabConfiguration | undefined {
  return LAB_CONFIGURATIONS.find((configuration) => configuration.id === id);
}
