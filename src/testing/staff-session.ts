import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { totpCodeAt } from './totp-enrolment.ts';
import type { BankFixture } from './bank-fixture.ts';
import type { StaffRole } from '../staff/staff-role.ts';
import { FORM_TOKEN_COOKIE } from '../bank-app.ts';
import { createSessionStore, SESSION_KINDS, type SessionKind } from '../web/session-store.ts';

/** A form body as browsers send it. */
export const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

/** Encodes fields as a form body. */
export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** The form-token secret cookie and the session cookie, as a browser holding the session would send them. */
export type WebSession<K extends SessionKind = SessionKind> = K extends SessionKind
  ? { cookies: { [name in (typeof SESSION_KINDS)[K]['cookie']]: string } & { [FORM_TOKEN_COOKIE]: string }; csrf: string }
  : never;

/** Where each kind of session finds a page that renders a form token without needing anything else. */
const TOKEN_PAGES: Record<SessionKind, string> = { customer: '/bank/login', staff: '/staff/login' };

/**
 * A live web session of this kind for this subject, started through the session store (the login pages have their
 * own tests), with a form token from a real page: the cookies to send and the token every form carries.
 */
export async function webSession<K extends SessionKind>(fixture: BankFixture, kind: K, subject_id: string): Promise<WebSession<K>> {
  const cookie = await createSessionStore({ db: fixture.db, clock: fixture.clock }).start(kind, subject_id);
  const { cookie: name } = SESSION_KINDS[kind];
  return await formToken(fixture, TOKEN_PAGES[kind], { [name]: cookie }) as WebSession<K>;
}

/** A page's form token and the secret cookie it is made from, for a browser holding `cookies`. */
export async function formToken(fixture: BankFixture, url: string, cookies: Record<string, string> = {}): Promise<{ csrf: string; cookies: Record<string, string> }> {
  const page = await fixture.bank.app.inject({ method: 'GET', url, cookies });
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(csrf, `a form token on ${url} (status ${page.statusCode})`);
  const secret = page.cookies.find((set) => set.name === FORM_TOKEN_COOKIE)?.value ?? cookies[FORM_TOKEN_COOKIE];
  assert.ok(secret, `the form-token cookie from ${url}`);
  return { csrf, cookies: { ...cookies, [FORM_TOKEN_COOKIE]: secret } };
}

/** A live bank-page session for this customer: their id, the cookies to send and a form token. */
export async function customerSession(fixture: BankFixture, customer_id: string) {
  return { id: customer_id, ...(await webSession(fixture, 'customer', customer_id)) };
}

/** How many staff members each fixture has had made here, by role, so that default logins never collide. */
const staffMade = new WeakMap<BankFixture, Map<StaffRole, number>>();

/** `staff-<role>` for a fixture's first member with that role, then `staff-<role>-2`, `staff-<role>-3`, … */
function defaultStaffLogin(fixture: BankFixture, role: StaffRole): string {
  const made = staffMade.get(fixture) ?? new Map<StaffRole, number>();
  staffMade.set(fixture, made);
  const n = (made.get(role) ?? 0) + 1;
  made.set(role, n);
  return n === 1 ? `staff-${role}` : `staff-${role}-${n}`;
}

/**
 * A staff member with this role and a live console session put straight in the table (the login page has its
 * own tests): their id, the cookies to send and the session's CSRF token. Without a login, each call makes a new one.
 */
export async function staffSession(fixture: BankFixture, role: StaffRole, login_id = defaultStaffLogin(fixture, role)) {
  const member = await fixture.bank.services.staff.create({ login_id, display_name: `${role} 担当`, password: `${login_id}-password`, role });
  return { id: member.id, role, ...(await webSession(fixture, 'staff', member.id)) };
}

export type StaffSession = Awaited<ReturnType<typeof staffSession>>;

/** POSTs a form with this session's cookie (and its CSRF token unless `fields` overrides it). */
export function sessionPost(fixture: BankFixture, who: WebSession, url: string, fields: Record<string, string> = {}) {
  return fixture.bank.app.inject({ method: 'POST', url, cookies: who.cookies, headers: FORM_HEADERS, payload: formBody({ csrf: who.csrf, ...fields }) });
}

/** GETs a page with this session's cookie. */
export function sessionGet(fixture: BankFixture, who: WebSession, url: string) {
  return fixture.bank.app.inject({ method: 'GET', url, cookies: who.cookies });
}

/** POSTs a console form as this staff member (with their CSRF token unless `fields` overrides it). */
export function staffPost(fixture: BankFixture, who: StaffSession, url: string, fields: Record<string, string> = {}) {
  return sessionPost(fixture, who, url, fields);
}

/** GETs a console page as this staff member. */
export function staffGet(fixture: BankFixture, who: StaffSession, url: string) {
  return sessionGet(fixture, who, url);
}

/**
 * Posts a form as a browser does: the page at `page_url` first, for its form token and secret cookie, then `fields`
 * to `url`. Returns the answer and the cookies the browser holds afterwards (a login's session cookie included).
 */
export async function postForm(fixture: BankFixture, page_url: string, url: string, fields: Record<string, string>, cookies: Record<string, string> = {}) {
  const page = await formToken(fixture, page_url, cookies);
  const response = await fixture.bank.app.inject({ method: 'POST', url, cookies: page.cookies, headers: FORM_HEADERS, payload: formBody({ csrf: page.csrf, ...fields }) });
  return { response, cookies: { ...page.cookies, ...Object.fromEntries(response.cookies.map((cookie) => [cookie.name, cookie.value])) } };
}

/** Logs a customer in at /bank/login as a browser (holding `cookies`) would; the cookies hold their session and form-token secret. */
export function logInCustomer(fixture: BankFixture, login_id: string, password: string, cookies: Record<string, string> = {}) {
  return postForm(fixture, '/bank/login', '/bank/login', { login_id, password }, cookies);
}

/** A staff member as `furikae staff add` leaves them: a password and an enrolled authenticator, whose secret is returned. */
export async function enrolledStaff(fixture: BankFixture, member: { login_id: string; password: string; display_name: string; role: StaffRole }) {
  const created = await fixture.bank.services.staff.create(member);
  const { secret } = (await fixture.bank.services.staff.enrolTotp(created.id))!;
  return { ...created, password: member.password, secret };
}

/** Logs a staff member in through the console's login page in a real browser: ID, password and the authenticator's code at the bank's clock. */
export async function logInStaffInBrowser(page: Page, fixture: BankFixture, member: { login_id: string; password: string; secret: string }): Promise<void> {
  await page.goto(`${fixture.url}/staff/login`);
  await page.fill('#login_id', member.login_id);
  await page.fill('#password', member.password);
  await page.fill('#totp_code', await totpCodeAt(member.secret, fixture.clock));
  await Promise.all([page.waitForURL(`${fixture.url}/staff`), page.click('button[type=submit]')]);
}
