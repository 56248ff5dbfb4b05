import { usesAuthenticator, type LabCustomer } from './lab-actor.ts';
import type { LabOperator, LinkAnswer, PendingConsent } from './lab-operator.ts';
import type { LabWorld } from './lab-world.ts';
import { approveConsent, openAuthorization, postLogin, postSecondFactor, requestSmsCode, type PageAt } from './bank-pages.ts';

/**
 * An authenticator code is accepted once per 30-second step, so the consent's code comes from a later step than
 * the login's: the customer reads the consent page for 40 seconds before approving, as people do.
 */
export const CONSENT_READING_MS = 40_000;

/** Where a customer's FAPI link stands between the login (first move) and the approval (second move). */
export interface ConsentInProgress {
  operator: LabOperator;
  pending: PendingConsent;
  at: Extract<PageAt, { at: 'page' }>;
}

/** A refusal on the bank's pages, named after where it happened. */
export type WalkRefusal = { ok: false; code: string };

/** The code the customer types for `purpose`: from their authenticator app, or the SMS the bank sends them. */
async function secondFactorCode(world: LabWorld, customer: LabCustomer, at: Extract<PageAt, { at: 'page' }>, purpose: 'login' | 'consent') {
  if (usesAuthenticator(customer, world.now())) return { factor: 'totp' as const, code: await world.totpCode(customer), at };
  const after = await requestSmsCode(world.browser(customer), at, purpose);
  return { factor: 'sms' as const, code: world.phones.lastCode(customer.person.phone, { purpose }) ?? '', at: after };
}

/**
 * First move of a link at the bank: the operator signs what its eKYC verified and pushes the request; the customer's
 * browser logs in with the password (after a typo, sometimes) and a second factor, and reaches the consent page.
 */
export async function beginConsent(world: LabWorld, customer: LabCustomer, operator: LabOperator, password_typo: boolean): Promise<ConsentInProgress | WalkRefusal> {
  const { person } = customer;
  const pending = await operator.startConsent(await operator.attest({ name_kana: person.name_kana, birth_date: person.birth_date, phone: person.phone }));
  const browser = world.browser(customer);
  const opened = await openAuthorization(browser, pending.url);
  if (opened.at !== 'page') return { ok: false, code: opened.at === 'operator' ? 'authorization_refused' : `http_${opened.status}` };
  let login = { passed: false, at: opened };
  if (password_typo) login = await postLogin(browser, opened, { login_id: person.login_id, password: `${person.password}x` });
  login = await postLogin(browser, login.at, { login_id: person.login_id, password: person.password });
  if (!login.passed) return { ok: false, code: 'login_refused' };
  const proof = await secondFactorCode(world, customer, login.at, 'login');
  const consent = await postSecondFactor(browser, proof.at, proof.factor, proof.code, world.bank_origin);
  if (consent.at !== 'page' || consent.uid === opened.uid) return { ok: false, code: 'second_factor_refused' };
  return { operator, pending, at: consent };
}

/** Second move: approve the consent with a fresh second factor; the operator exchanges the code for tokens. */
export async function finishConsent(world: LabWorld, customer: LabCustomer, walk: ConsentInProgress): Promise<LinkAnswer> {
  const proof = await secondFactorCode(world, customer, walk.at, 'consent');
  const back = await approveConsent(world.browser(customer), proof.at, proof.factor, proof.code, world.bank_origin);
  if (back.at !== 'operator') return { ok: false, code: 'consent_not_approved' };
  return walk.operator.finishConsent(back.callback, walk.pending);
}
