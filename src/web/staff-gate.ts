import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BankServices } from '../bank-services.ts';
import { errorCodes, type ErrorCode } from '../errors/error-codes.ts';
import { roleAllows, type StaffRole } from '../staff/staff-role.ts';
import type { StaffUser } from '../staff/staff-directory.ts';
import { html, type SafeHtml } from './html.ts';
import { bankPage } from './layout.ts';
import { csrfMatches, type Session, type SessionStore } from './session-store.ts';

/** The staff session cookie (path /staff). */
export const STAFF_COOKIE = 'furikae_staff';

/** Who is asking: the session (with its CSRF token) and the staff member with their current role. */
export interface StaffContext {
  session: Session;
  staff: StaffUser;
}

/** The codes a staff refusal can carry. */
export type StaffRefusalCode = Extract<ErrorCode, `staff_${string}`>;

/**
 * A refusal page: the stable code in the page and its status from the registry; nothing was changed. Console sections
 * that call services answer those services' own codes (incident_not_found, compensation_self_approval…) the same way.
 */
export function sendStaffRefusal(reply: FastifyReply, code: StaffRefusalCode | ErrorCode, detail?: string): FastifyReply {
  const { status, title } = errorCodes[code];
  const body = html`<h1>できません / Refused</h1><div class="card"><p class="error" role="alert" data-code="${code}">${title}</p>
${detail ? html`<p>${detail}</p>` : ''}<p class="muted">code: <code>${code}</code></p><p><a href="/staff">← Console</a></p></div>`;
  return reply.status(status).type('text/html').send(bankPage('Refused', body));
}

/**
 * Every staff route goes through here. Pages need a live staff session; actions also need the form's CSRF token
 * and a role at least `required`. The role is read from staff_users on every request, so a demotion takes effect
 * at once, not at the next login.
 */
export function createStaffGate(services: BankServices, sessions: SessionStore) {
  const read = async (request: FastifyRequest): Promise<StaffContext | undefined> => {
    const session = await sessions.read('staff', request.cookies[STAFF_COOKIE]);
    if (!session) return undefined;
    const staff = await services.staff.get(session.subject_id);
    return staff ? { session, staff } : undefined;
  };

  return {
    /** For pages: the staff context, or undefined after redirecting to the login. */
    async page(request: FastifyRequest, reply: FastifyReply): Promise<StaffContext | undefined> {
      const context = await read(request);
      if (!context) await reply.redirect('/staff/login');
      return context;
    },

    /** For actions: the staff context when session, CSRF token and role all check; otherwise undefined after refusing. */
    async action(request: FastifyRequest<{ Body: { csrf?: string } }>, reply: FastifyReply, required: StaffRole): Promise<StaffContext | undefined> {
      const context = await read(request);
      if (!context) {
        await reply.redirect('/staff/login', 303);
        return undefined;
      }
      if (!csrfMatches(context.session, request.body?.csrf)) {
        await sendStaffRefusal(reply, 'staff_csrf_token_invalid');
        return undefined;
      }
      if (!roleAllows(context.staff.role, required)) {
        request.log.warn({ staff_id: context.staff.id, role: context.staff.role, required, url: request.url }, 'staff action refused: role');
        await sendStaffRefusal(reply, 'staff_role_insufficient', `This needs the ${required} role; you are ${context.staff.role}.`);
        return undefined;
      }
      return context;
    },
  };
}

export type StaffGate = ReturnType<typeof createStaffGate>;

/** The hidden CSRF field every staff form carries. */
export function csrfField(context: StaffContext): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${context.session.csrf_token}">`;
}

/**
 * Where to send staff back to after an action: the console page they came from (the Referer's path, if it is a
 * plain /staff path), else `fallback`. Only the path is kept, so a Referer can never redirect off the console.
 */
export function backTo(referer: string | undefined, fallback: string): string {
  if (!referer) return fallback;
  try {
    const path = new URL(referer, 'http://bank.invalid').pathname;
    return /^\/staff(\/[a-z0-9-]+)*$/.test(path) ? path : fallback;
  } catch {
    return fallback;
  }
}
