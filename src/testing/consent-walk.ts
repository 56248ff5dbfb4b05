import type { BankFixture } from './bank-fixture.ts';
import { createCookieAgent, formValue } from './cookie-agent.ts';
import { enrolAuthenticatorApp, totpCodeAt, TOTP_STEP_MS } from './totp-enrolment.ts';
import { passkeyOptionsIn, type SoftwareAuthenticator } from './software-authenticator.ts';

/** Enrols an authenticator app for the fixture customer and returns its secret; the clock then moves past that code. */
export async function enrolTotp(fixture: BankFixture): Promise<string> {
  const app = await enrolAuthenticatorApp({ secondFactors: fixture.bank.services.secondFactors, clock: fixture.clock, db: fixture.db }, fixture.customer.id);
  fixture.clock.advance(TOTP_STEP_MS);
  return app.secret;
}

/** The authenticator app's code at the bank's clock; the clock does not move. */
export async function totpNow(fixture: BankFixture, secret: string): Promise<string> {
  return totpCodeAt(secret, fixture.clock);
}

export interface ConsentWalk {
  login_id?: string;
  password?: string;
  /** The login's second factor: an authenticator code (its secret), or a wrong code. */
  totp_secret?: string;
  login_code?: string;
  /** The login's factor: the authenticator (default) or an SMS code to `phone` (a customer with no authenticator). */
  login_factor?: 'totp' | 'sms';
  /** approve, deny, or stop at the consent page. */
  decision?: 'approve' | 'deny' | 'none';
  /** The factor that approves the consent: the next authenticator code (default) or an SMS code. */
  consent_factor?: 'totp' | 'sms';
  /** The customer's phone, where the SMS code goes: the fixture customer's unless given. */
  phone?: string;
  /** Sign in and consent with this passkey instead of codes: the pages' passkey step, answered by the authenticator. */
  passkey?: SoftwareAuthenticator;
}

/**
 * Walks a customer's browser through the bank: the authorization URL, password login, authenticator code,
 * then consent approved with an SMS code. Returns where the bank sent the browser back to (the operator's
 * redirect URI with code or error), and the last page if it stopped at the bank.
 */
export async function walkConsent(fixture: BankFixture, authorizationUrl: URL, walk: ConsentWalk) {
  const agent = createCookieAgent();
  const leavesBank = (url: URL) => url.origin !== new URL(fixture.url).origin;
  let { response, url } = await agent.follow(authorizationUrl, leavesBank);
  if (leavesBank(url)) return { callback: url, page: '', agent };
  let page = await response.text();
  const interactionOf = (at: URL) => /\/interaction\/([^/?]+)/.exec(at.pathname)?.[1];
  let uid = interactionOf(url);
  if (!uid) return { callback: undefined, page, agent, status: response.status };
  let base = `${fixture.url}/interaction/${uid}`;

  response = await agent.post(`${base}/login`, {
    csrf: formValue(page, 'csrf'), login_id: walk.login_id ?? 'hanako', password: walk.password ?? 'correct horse battery',
  });
  page = await response.text();
  if (response.status !== 200 || !page.includes('/mfa')) return { callback: undefined, page, agent, status: response.status, uid };

  /** The passkey step of the interaction's page (asked for with ?method=passkey), answered: its form fields. */
  const passkeyAnswer = async (passkey: SoftwareAuthenticator) => {
    const step = await (await agent.follow(`${base}?method=passkey`)).response.text();
    return { csrf: formValue(step, 'csrf'), factor: 'passkey', passkey_response: JSON.stringify(passkey.assert(passkeyOptionsIn(step))) };
  };
  let login_factor: 'totp' | 'sms' = 'totp';
  let code = walk.login_code;
  if (!walk.passkey && walk.login_factor === 'sms') {
    login_factor = 'sms';
    const sent = await agent.post(`${base}/sms`, { csrf: formValue(page, 'csrf'), purpose: 'login' });
    page = await sent.text();
    if (sent.status !== 200) return { callback: undefined, page, agent, status: sent.status, uid };
    code ??= fixture.sms.lastCode(walk.phone ?? '090-1111-2222', 'login') ?? '';
  }
  response = walk.passkey
    ? await agent.post(`${base}/mfa`, await passkeyAnswer(walk.passkey))
    : await agent.post(`${base}/mfa`, { csrf: formValue(page, 'csrf'), factor: login_factor, code: code ?? (await totpNow(fixture, walk.totp_secret ?? '')) });
  if (response.status !== 303) return { callback: undefined, page: await response.text(), agent, status: response.status, uid };
  ({ response, url } = await agent.follow(new URL(response.headers.get('location')!, fixture.url), leavesBank));
  if (leavesBank(url)) return { callback: url, page: '', agent };
  page = await response.text();
  // Consent is an interaction of its own, with a new uid.
  uid = interactionOf(url) ?? uid;
  base = `${fixture.url}/interaction/${uid}`;
  if (walk.decision === 'none') return { callback: undefined, page, agent, status: response.status, uid };

  const csrf = formValue(page, 'csrf');
  const account_id = /name="account_id" value="([^"]+)"/.exec(page)?.[1] ?? '';
  let fields: Record<string, string> = { csrf, decision: walk.decision ?? 'approve', account_id };
  if ((walk.decision ?? 'approve') === 'approve' && walk.passkey) {
    fields = { ...fields, ...(await passkeyAnswer(walk.passkey)) };
  } else if ((walk.decision ?? 'approve') === 'approve' && walk.consent_factor === 'sms') {
    await agent.post(`${base}/sms`, { csrf, purpose: 'consent' });
    fields.factor = 'sms';
    fields.code = fixture.sms.lastCode(walk.phone ?? '090-1111-2222') ?? '';
  } else if ((walk.decision ?? 'approve') === 'approve') {
    // A used authenticator code is refused as a replay, so the approval waits for the next one.
    fixture.clock.advance(TOTP_STEP_MS);
    fields.factor = 'totp';
    fields.code = await totpNow(fixture, walk.totp_secret ?? '');
  }
  response = await agent.post(`${base}/consent`, fields);
  if (response.status !== 303) return { callback: undefined, page: await response.text(), agent, status: response.status, uid };
  ({ response, url } = await agent.follow(new URL(response.headers.get('location')!, fixture.url), leavesBank));
  return { callback: leavesBank(url) ? url : undefined, page: leavesBank(url) ? '' : await response.text(), agent, status: response.status, uid };
}
