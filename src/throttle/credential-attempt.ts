import { maskAccountNumber } from '../linking/link.ts';

/** The credentials the throttle watches. */
export type CredentialKind = 'legacy_pin' | 'password' | 'second_factor';

/** How staff pages and alerts name each credential. */
export const CREDENTIAL_LABELS: Record<CredentialKind, string> = {
  legacy_pin: '暗証番号 PIN (2020 legacy link)', password: 'IBパスワード Password', second_factor: '第二要素 Second factor',
};

/** One attempt to prove a credential, with every dimension the throttle counts along. */
export interface CredentialAttempt {
  credential: CredentialKind;
  /** Whose credential: `pinAccountKey(…)` for a PIN, `loginAccountKey(…)` for a password. */
  account_key: string;
  /** The operator relaying the attempt (the legacy link is server-to-server), if any. */
  operator_id?: string;
  source_ip: string;
  device_id?: string;
  /** The secret tried. It is only ever turned into a keyed fingerprint; it is never stored or logged. */
  secret: string;
  /** The account holder once known: notified when the account locks. */
  customer_id?: string;
}

/** Whether an attempt may be verified. A refusal never depends on whether the secret is right. */
export type ThrottleDecision = { ok: true } | { ok: false; code: 'credential_attempts_locked' | 'too_many_attempts' };

/** The account key of a cash-card PIN: branch and account number. */
export function pinAccountKey(branch_code: string, account_number: string): string {
  return `${branch_code}-${account_number}`;
}

/** The account key of an internet-banking password: the login id. */
export function loginAccountKey(login_id: string): string {
  return `login:${login_id}`;
}

/** The account a PIN key names, masked for its holder; null for a login key, which names no account. */
export function pinAccountOf(account_key: string): { branch_code: string; account_masked: string } | null {
  const pin = /^([0-9]{3})-([0-9]{7})$/.exec(account_key);
  return pin ? { branch_code: pin[1]!, account_masked: maskAccountNumber(pin[2]!) } : null;
}

/** An account key safe for logs, pages and notices: never a full account number. */
export function maskAccountKey(account_key: string): string {
  const pin = /^([0-9]{3})-([0-9]{7})$/.exec(account_key);
  if (pin) return `${pin[1]}-${maskAccountNumber(pin[2]!)}`;
  return account_key.length <= 8 ? `${account_key.slice(0, 2)}***` : `${account_key.slice(0, 8)}***`;
}

/**
 * What a locked credential is shown as to people: the masked account for a PIN, 「インターネットバンキング」 for a
 * customer's password, never the internal key (login:…) behind it.
 */
export function lockedAccountLabel(lock: { credential: CredentialKind; account_masked: string }): string {
  return lock.credential === 'password' ? 'インターネットバンキング Internet banking' : lock.account_masked;
}
