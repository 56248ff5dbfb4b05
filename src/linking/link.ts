import type { LinkMethod } from '../operators/operator.ts';

/** The bank's record of a consent: this operator may charge this account within these limits. */
export interface Link {
  id: string;
  operator_id: string;
  account_id: string;
  method: LinkMethod;
  /** frozen: the customer said "this wasn't me" (src/disputes); charges are refused until staff act. */
  status: 'active' | 'revoked' | 'frozen';
  charge_yen_max: number;
  charges_yen_per_month_max: number;
  created_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
  /** When the customer's FAPI consent ends (charges are refused `consent_expired` from then); null for legacy links. */
  consent_expires_at: Date | null;
}

export const LINK_COLUMNS = `id, operator_id, account_id, method, status, charge_yen_max, charges_yen_per_month_max, created_at, revoked_at, revoked_by, consent_expires_at`;

/** Shows the last three digits only, as the bank's own pages do. */
export function maskAccountNumber(account_number: string): string {
  return `****${account_number.slice(-3)}`;
}

/** An account as customers read it on a passbook: 「101支店 普通 ****567」 (staff pages keep the compact 101-****567). */
export function customerAccountLabel(branch_code: string, account_masked: string, lang: 'ja' | 'en' = 'ja'): string {
  return lang === 'ja' ? `${branch_code}支店 普通 ${account_masked}` : `branch ${branch_code}, ordinary ${account_masked}`;
}
