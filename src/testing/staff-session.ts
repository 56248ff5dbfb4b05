import { randomBytes } from 'node:crypto';
import type { BankFixture } from './bank-fixture.ts';
import type { StaffRole } from '../staff/staff-role.ts';
import { hashToken } from '../shared/secret-hash.ts';
import { SESSION_TTL_MS, type SessionKind } from '../web/session-store.ts';

/** A form body as browsers send it. */
export const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

/** Encodes fields as a form body. */
export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** The cookie each kind of session travels in. */
const SESSION_COOKIES = { customer: 'furikae_customer', staff: 'furikae_staff' } as const;

/** A web session's cookie, under its kind's cookie name, and the session's CSRF token. */
export type WebSession<K extends SessionKind = SessionKind> = K extends SessionKind
  ? { cookies: { [name in (typeof SESSION_COOKIES)[K]]: string }; csrf: string }
  : never;

/** A live web session of this kind for this subject, put straight in the table (the login pages have their own tests). */
export async function webSession<K extends SessionKind>(fixture: BankFixture, kind: K, subject_id: string): Promise<WebSession<K>> {
  const cookie = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  await fixture.db.query(
    `INSERT INTO web_sessions (id_hash, kind, subject_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4, $5)`,
    [hashToken(cookie), kind, subject_id, csrf, new Date(fixture.clock.now().getTime() + SESSION_TTL_MS)],
  );
  return { cookies: { [SESSION_COOKIES[kind]]: cookie }, csrf } as WebSession<K>;
}

/** A live bank-page session for this customer: their id, the cookies to send and the session's CSRF token. */
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
