import { randomBytes } from 'node:crypto';
import type { BankFixture } from './bank-fixture.ts';
import type { StaffRole } from '../staff/staff-role.ts';
import { hashToken } from '../shared/secret-hash.ts';
import { SESSION_TTL_MS } from '../web/session-store.ts';

/** A form body as browsers send it. */
export const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

/** Encodes fields as a form body. */
export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/**
 * A staff member with this role and a live console session put straight in the table (the login page has its
 * own tests): their id, the cookies to send and the session's CSRF token.
 */
export async function staffSession(fixture: BankFixture, role: StaffRole, login_id = `staff-${role}`) {
  const member = await fixture.bank.services.staff.create({ login_id, display_name: `${role} 担当`, password: `${login_id}-password`, role });
  const cookie = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  await fixture.db.query(
    `INSERT INTO web_sessions (id_hash, kind, subject_id, csrf_token, expires_at) VALUES ($1, 'staff', $2, $3, $4)`,
    [hashToken(cookie), member.id, csrf, new Date(fixture.clock.now().getTime() + SESSION_TTL_MS)],
  );
  return { id: member.id, role, cookies: { furikae_staff: cookie }, csrf };
}

export type StaffSession = Awaited<ReturnType<typeof staffSession>>;

/** POSTs a console form as this staff member (with their CSRF token unless `fields` overrides it). */
export function staffPost(fixture: BankFixture, who: StaffSession, url: string, fields: Record<string, string> = {}) {
  return fixture.bank.app.inject({ method: 'POST', url, cookies: who.cookies, headers: FORM_HEADERS, payload: formBody({ csrf: who.csrf, ...fields }) });
}

/** GETs a console page as this staff member. */
export function staffGet(fixture: BankFixture, who: StaffSession, url: string) {
  return fixture.bank.app.inject({ method: 'GET', url, cookies: who.cookies });
}
