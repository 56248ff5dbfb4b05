import { maskAccountNumber } from '../linking/link.ts';
import type { EndUserAddress } from './end-user-address.ts';

/** The credentials the throttle watches. */
export const CREDENTIAL_KINDS = [
  'legacy_pin', // a cash-card PIN on the 2020 legacy link
  'password', // a customer's internet-banking password
  'second_factor', // a customer's SMS or authenticator code
  'staff_login', // a staff member's console login: password and authenticator code together
  'operator_secret', // an operator's client secret (Basic auth on /v1)
] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** How staff pages and alerts name each credential. */
export const CREDENTIAL_LABELS: Record<CredentialKind, string> = {
  legacy_pin: '暗証番号 PIN (2020 legacy link)', password: 'IBパスワード Password', second_factor: '第二要素 Second factor',
  staff_login: '行員ログイン Staff login', operator_secret: '事業者シークレット Operator secret',
};

/** One attempt to prove a credential, with every dimension the throttle counts along. */
export interface CredentialAttempt {
  credential: CredentialKind;
  /** Whose credential: `pinAccountKey(…)` for a PIN, `loginAccountKey(…)` for a password. */
  account_key: string;
  /** The operator relaying the attempt (the legacy link is server-to-server), if any. */
  operator_id?: string;
  /** The connecting address: on the legacy link, the operator's server, which all its users share. */
  source_ip: string;
  /**
   * The end user's address as the operator relayed it (PSU-IP-Address). When given, the throttle counts and blocks it,
   * within that operator, instead of the connecting address.
   */
  end_user_ip?: EndUserAddress;
  device_id?: string;
  /** The secret tried. It is only ever turned into a keyed fingerprint; it is never stored or logged. */
  secret: string;
  /** The account holder once known: notified when the account locks. */
  customer_id?: string;
  /**
   * For an operator's own secret: the operator it belongs to, when the client id is known. It names the operator on
   * alerts; unlike `operator_id` it never counts towards throttling the operator as a whole.
   */
  account_operator_id?: string;
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

/** The account key of a staff console login: the staff login id. */
export function staffAccountKey(login_id: string): string {
  return `staff:${login_id}`;
}

/** The account key of an operator's secret: its client id. */
export function operatorAccountKey(client_id: string): string {
  return `operator:${client_id}`;
}

/** An account key safe for logs, pages and notices: never a full account number. Staff logins and client ids are not secrets, so they show whole. */
export function maskAccountKey(account_key: string): string {
  if (/^(staff|operator):/.test(account_key)) return account_key;
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
