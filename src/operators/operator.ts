/** How a link may be created: the 2020 account-number-and-PIN path, or FAPI 2.0 consent with MFA at the bank. */
export type LinkMethod = 'legacy_pin' | 'fapi2';

/** KYC levels an operator can attest, weakest first. */
export const KYC_LEVELS = ['none', 'email', 'phone_verified', 'ekyc_document_face'] as const;
export type KycLevel = (typeof KYC_LEVELS)[number];

/** How customers read a KYC level (staff pages keep the code). */
export const KYC_LEVEL_TEXT: Record<KycLevel, { ja: string; en: string }> = {
  none: { ja: '本人確認なし', en: 'identity not checked' },
  email: { ja: 'メールアドレスのみ確認済み', en: 'e-mail address checked only' },
  phone_verified: { ja: '電話番号で確認済み', en: 'checked by phone number' },
  ekyc_document_face: { ja: '本人確認書類と顔写真で確認済み', en: 'checked with an identity document and a face photo' },
};

/** Default per-charge cap: ¥100,000, as Docomo's in 2020. */
export const CHARGE_YEN_MAX_DEFAULT = 100_000;
/** Default monthly cap per link: ¥300,000, as Docomo's in 2020. */
export const CHARGES_YEN_PER_MONTH_MAX_DEFAULT = 300_000;

/**
 * What the bank does itself when an operator passes its containment level: hold its new charges for staff (as a
 * risk hold), suspend its new links, or both. Existing links keep their money either way until staff decide.
 */
export type ContainmentAction = 'hold_charges' | 'suspend_links' | 'hold_charges_and_suspend_links';

export const CONTAINMENT_ACTIONS: readonly ContainmentAction[] = ['hold_charges', 'suspend_links', 'hold_charges_and_suspend_links'];

/** The default containment level: 5× the operator's busiest window (the anomaly rule's block band starts there too). */
export const CONTAINMENT_LEVEL_DEFAULT = 5;

/** Whether a containment action holds charges. */
export const containmentHoldsCharges = (action: ContainmentAction | null) => action === 'hold_charges' || action === 'hold_charges_and_suspend_links';
/** Whether a containment action suspends new links. */
export const containmentSuspendsLinks = (action: ContainmentAction | null) => action === 'suspend_links' || action === 'hold_charges_and_suspend_links';

/** Whether new links to the operator are refused: by staff's switch, or by an automatic containment in force. */
export const linksSuspended = (operator: Pick<Operator, 'new_links_suspended' | 'containment_active'>) =>
  operator.new_links_suspended || containmentSuspendsLinks(operator.containment_active);

/** A payment app registered at the bank, with its policy and kill switches. */
export interface Operator {
  id: string;
  display_name: string;
  passbook_label: string;
  client_id: string;
  settlement_account_id: string;
  link_methods_allowed: LinkMethod[];
  kyc_level_min: KycLevel;
  charge_yen_max: number;
  charges_yen_per_month_max: number;
  new_links_suspended: boolean;
  charges_suspended: boolean;
  created_at: Date;
  /** The anomaly level past which the bank contains this operator itself; null: never (staff switches only). */
  containment_level: number | null;
  containment_action: ContainmentAction;
  /** The addresses (IPs or CIDR blocks) its servers call from, if it registered them; empty: not registered. */
  source_addresses: string[];
  /** The action of the automatic containment in force, until an admin releases it; null when there is none. */
  containment_active: ContainmentAction | null;
}

/** The columns of an Operator, from `operators` (named so, without an alias) and its containment in force. */
export const OPERATOR_COLUMNS = `id, display_name, passbook_label, client_id, settlement_account_id, link_methods_allowed,
  kyc_level_min, charge_yen_max, charges_yen_per_month_max, new_links_suspended, charges_suspended, created_at,
  containment_level, containment_action, source_addresses,
  (SELECT c.action FROM operator_containments c WHERE c.operator_id = operators.id AND c.released_at IS NULL) AS containment_active`;
