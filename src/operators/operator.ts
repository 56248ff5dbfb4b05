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
}

export const OPERATOR_COLUMNS = `id, display_name, passbook_label, client_id, settlement_account_id, link_methods_allowed,
  kyc_level_min, charge_yen_max, charges_yen_per_month_max, new_links_suspended, charges_suspended, created_at`;
