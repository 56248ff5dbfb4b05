/**
 * What the lab's people do on the bank's own pages, as a browser does it: the login, second-factor and consent
 * pages of a FAPI link (src/authorization/interaction-routes.ts), the approval page of a challenged charge
 * (src/stepup/approval-pages.ts) and the "this wasn't me" link of a notice (src/disputes/not-me-pages.ts).
 * Each reads what the page shows (form tokens, the amount and payee) and posts what a person would type.
 */
import type { SecondFactorKind } from '../mfa/second-factor.ts';
import type { FactorGateRefusal } from '../mfa/factor-gate.ts';
import { FACTOR_REFUSAL_TEXT } from '../mfa/factor-refusal-text.ts';
import { formValue, type LabBrowser } from './lab-browser.ts';

/** Where a walk through the bank's pages stands: on a page of an interaction, or sent back to the operator. */
export type PageAt =
  | { at: 'page'; uid: string; page: string; status: number }
  | { at: 'operator'; callback: URL }
  | { at: 'stopped'; status: number; page: string };

const interactionOf = (url: URL) => /\/interaction\/([^/?]+)/.exec(url.pathname)?.[1];

async function landing(browser: LabBrowser, response: Response, base: URL): Promise<PageAt> {
  if (response.status === 303 || response.status === 302) {
    const next = await browser.follow(new URL(response.headers.get('location')!, base));
    if (next.left) return { at: 'operator', callback: next.url };
    const uid = interactionOf(next.url);
    const page = await next.response.text();
    return uid ? { at: 'page', uid, page, status: next.response.status } : { at: 'stopped', status: next.response.status, page };
  }
  return { at: 'stopped', status: response.status, page: await response.text() };
}

/** Opens the authorization URL an operator sent the browser to: the bank's login page, normally. */
export async function openAuthorization(browser: LabBrowser, url: URL): Promise<PageAt> {
  const { response, url: at, left } = await browser.follow(url);
  if (left) return { at: 'operator', callback: at };
  const uid = interactionOf(at);
  const page = await response.text();
  return uid ? { at: 'page', uid, page, status: response.status } : { at: 'stopped', status: response.status, page };
}

/** Posts the internet-banking login; true when the bank moved on to the second factor. */
export async function postLogin(browser: LabBrowser, at: Extract<PageAt, { at: 'page' }>, login: { login_id: string; password: string }): Promise<{ passed: boolean; at: Extract<PageAt, { at: 'page' }> }> {
  const response = await browser.post(`/interaction/${at.uid}/login`, { csrf: formValue(at.page, 'csrf') ?? '', ...login });
  const page = await response.text();
  return { passed: response.status === 200 && page.includes(`/interaction/${at.uid}/mfa`), at: { at: 'page', uid: at.uid, page, status: response.status } };
}

/** Which refusal of a factor the page shows (src/mfa/factor-refusal-text.ts), read as the customer reads it; undefined if none. */
export function factorRefusalShown(page: string): FactorGateRefusal | undefined {
  return (Object.keys(FACTOR_REFUSAL_TEXT) as FactorGateRefusal[]).find((code) => page.includes(FACTOR_REFUSAL_TEXT[code].ja));
}

/** Asks the bank to text a code for the login or the consent. */
export async function requestSmsCode(browser: LabBrowser, at: Extract<PageAt, { at: 'page' }>, purpose: 'login' | 'consent'): Promise<Extract<PageAt, { at: 'page' }>> {
  const response = await browser.post(`/interaction/${at.uid}/sms`, { csrf: formValue(at.page, 'csrf') ?? '', purpose });
  return { at: 'page', uid: at.uid, page: await response.text(), status: response.status };
}

/** Posts the login's second factor; on success the bank goes on to the consent page (a new interaction). */
export async function postSecondFactor(browser: LabBrowser, at: Extract<PageAt, { at: 'page' }>, factor: SecondFactorKind, code: string, bank_origin: string): Promise<PageAt> {
  const response = await browser.post(`/interaction/${at.uid}/mfa`, { csrf: formValue(at.page, 'csrf') ?? '', factor, code });
  if (response.status !== 303) return { at: 'page', uid: at.uid, page: await response.text(), status: response.status };
  return landing(browser, response, new URL(bank_origin));
}

/** Approves the consent with a second factor, for the first account the page offers; the bank then sends the browser back. */
export async function approveConsent(browser: LabBrowser, at: Extract<PageAt, { at: 'page' }>, factor: SecondFactorKind, code: string, bank_origin: string): Promise<PageAt> {
  const account_id = formValue(at.page, 'account_id') ?? '';
  const response = await browser.post(`/interaction/${at.uid}/consent`, {
    csrf: formValue(at.page, 'csrf') ?? '', decision: 'approve', account_id, factor, code,
  });
  if (response.status !== 303) return { at: 'page', uid: at.uid, page: await response.text(), status: response.status };
  return landing(browser, response, new URL(bank_origin));
}

/** The approval page of a challenged charge, logging in first: undefined when the login was refused. */
export async function openApproval(browser: LabBrowser, charge_id: string, login: { login_id: string; password: string }): Promise<string | undefined> {
  // The login form's token is bound to the browser (its form-token cookie), so the form is read first, as a person would.
  const form = await (await browser.follow(`/bank/approvals/${charge_id}`)).response.text();
  const response = await browser.post(`/bank/approvals/${charge_id}/login`, { csrf: formValue(form, 'csrf') ?? '', ...login });
  if (response.status !== 302 && response.status !== 303) return undefined;
  const page = await browser.follow(`/bank/approvals/${charge_id}`);
  return page.response.status === 200 ? page.response.text() : undefined;
}

/** Whether the approval page says no typed code can approve this charge yet, its link being new (src/mfa/factor-policy.ts). */
export const newLinkCodesRefused = (page: string): boolean => page.includes('data-factor-refused="new_link_cooling_off"');

/** What the approval page says about the charge: the amount and payee the approval is bound to. */
export function approvalShown(page: string): { status: string | undefined; amount_yen: string | undefined; payee_operator_id: string | undefined; csrf: string | undefined } {
  return {
    status: /id="approval" data-status="([a-z_]+)"/.exec(page)?.[1],
    amount_yen: formValue(page, 'amount_yen'),
    payee_operator_id: formValue(page, 'payee_operator_id'),
    csrf: formValue(page, 'csrf'),
  };
}

/**
 * Opens the code form of the approval page for `factor`: for SMS it asks the bank to text the code bound to this
 * charge, for an authenticator it picks that method. The answer is the page with the form (the amount and payee the
 * code is bound to), or the bank's refusal of that factor.
 */
export async function approvalCodeForm(browser: LabBrowser, charge_id: string, page: string, factor: 'sms' | 'totp'): Promise<string> {
  if (factor === 'sms') return (await browser.post(`/bank/approvals/${charge_id}/sms`, { csrf: approvalShown(page).csrf ?? '' })).text();
  return (await browser.follow(`/bank/approvals/${charge_id}?method=totp`)).response.text();
}

/** Approves the charge the page showed with a second factor; the answer page's status says whether the money moved. */
export async function approveCharge(browser: LabBrowser, charge_id: string, page: string, factor: SecondFactorKind, code: string): Promise<string | undefined> {
  const shown = approvalShown(page);
  const response = await browser.post(`/bank/approvals/${charge_id}/approve`, {
    csrf: shown.csrf ?? '', factor, code, amount_yen: shown.amount_yen ?? '', payee_operator_id: shown.payee_operator_id ?? '',
  });
  return approvalShown(await response.text()).status;
}

/** Declines the charge: the reservation is voided and staff are alerted. */
export async function declineCharge(browser: LabBrowser, charge_id: string, page: string): Promise<string | undefined> {
  const response = await browser.post(`/bank/approvals/${charge_id}/decline`, { csrf: approvalShown(page).csrf ?? '' });
  return approvalShown(await response.text()).status;
}

/**
 * Opens a notice's "this wasn't me" link and confirms on the page it shows (the GET only asks); returns what the bank
 * answered (frozen, already stopped or reported, or the refusal code).
 */
export async function pressNotMe(browser: LabBrowser, url: URL): Promise<string> {
  const { response } = await browser.follow(`${url.pathname}${url.search}`);
  const shown = await response.text();
  const token = formValue(shown, 'token');
  const page = token === undefined ? shown
    : await (await browser.post(url.pathname, { csrf: formValue(shown, 'csrf') ?? '', token })).text();
  return /id="not-me-result" data-(?:result|code)="([a-z_-]+)"/.exec(page)?.[1] ?? `http_${response.status}`;
}
