import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BankServices } from '../bank-services.ts';
import { errorCodes, type ErrorCode } from '../errors/error-codes.ts';
import { roleAllows, type StaffRole } from '../staff/staff-role.ts';
import type { StaffUser } from '../staff/staff-directory.ts';
import { html, type SafeHtml } from './html.ts';
import { bankPage } from './layout.ts';
import type { Session, SessionStore } from './session-store.ts';

/** Who is asking: the session, the staff member with their current role, and this page's form token. */
export interface StaffContext {
  session: Session;
  staff: StaffUser;
  /** The token every form on the page carries (src/http/form-csrf.ts). */
  form_token: string;
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

/** Answers a console form whose token is missing or wrong (src/http/form-csrf.ts checks every POST first). */
export function refuseStaffForm(_request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendStaffRefusal(reply, 'staff_csrf_token_invalid');
}

/**
 * Every staff route goes through here. Pages need a live staff session; actions (whose form token was checked
 * before they run) also need a role at least `required`. The role is read from staff_users on every request, so a
 * demotion takes effect at once, not at the next login. A session ends after 15 idle minutes or one shift.
 */
export function createStaffGate(services: BankServices, sessions: SessionStore) {
  const read = async (request: FastifyRequest, reply: FastifyReply, touch: boolean): Promise<StaffContext | undefined> => {
    const session = await sessions.read(request, 'staff', { touch });
    if (!session) return undefined;
    const staff = await services.staff.get(session.subject_id);
    return staff ? { session, staff, form_token: reply.formToken() } : undefined;
  };

  return {
    /**
     * For pages: the staff context, or undefined after redirecting to the login. `touch: false` for a page that
     * reloads itself (the live charges view), so an unattended screen does not keep a session alive.
     */
    async page(request: FastifyRequest, reply: FastifyReply, { touch = true }: { touch?: boolean } = {}): Promise<StaffContext | undefined> {
      const context = await read(request, reply, touch);
      if (!context) await reply.redirect('/staff/login');
      return context;
    },

    /** For actions: the staff context when the session and role check; otherwise undefined after refusing. */
    async action(request: FastifyRequest, reply: FastifyReply, required: StaffRole): Promise<StaffContext | undefined> {
      const context = await read(request, reply, true);
      if (!context) {
        await reply.redirect('/staff/login', 303);
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

/** The hidden form-token field every staff form carries. */
export function csrfField(context: StaffContext): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${context.form_token}">`;
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
