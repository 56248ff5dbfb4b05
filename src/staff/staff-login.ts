import type { AuditLog } from '../audit/audit-log.ts';
import type { CredentialThrottle } from '../throttle/credential-throttle.ts';
import { staffAccountKey, type CredentialAttempt } from '../throttle/credential-attempt.ts';
import { UNKNOWN_LOGIN_STAFF_ID, type StaffDirectory, type StaffUser } from './staff-directory.ts';

/** What a console login came to: a staff member, or the one refusal the page shows. */
export type StaffLoginResult =
  | { ok: true; staff: StaffUser }
  | { ok: false; code: 'staff_login_failed' | 'too_many_attempts' | 'credential_attempts_locked' };

/** Longest login id kept in an audit entry for a login id that names nobody. */
const UNKNOWN_LOGIN_CHARS_AUDITED = 64;

/**
 * A staff console login: login id, password and authenticator code together, through the same credential throttle
 * as customers (a locked login or a throttled address is refused before anything is compared, and five failures
 * lock the login until an admin unlocks it). Every attempt, allowed or not, is an audit entry with its outcome and
 * address, never the password or code. The page learns only ok or one refusal, never which part was wrong.
 */
export async function logInStaff(
  { staff, throttle, audit }: { staff: StaffDirectory; throttle: CredentialThrottle; audit: AuditLog },
  input: { login_id: string; password: string; totp_code: string; source_ip: string },
): Promise<StaffLoginResult> {
  const attempt: CredentialAttempt = {
    credential: 'staff_login', account_key: staffAccountKey(input.login_id), source_ip: input.source_ip, secret: input.password,
  };
  const allowed = await throttle.check(attempt);
  if (!allowed.ok) {
    const member = await staff.findByLogin(input.login_id);
    await audit.record({
      staff_id: member?.id ?? UNKNOWN_LOGIN_STAFF_ID, action: 'staff.login_refused', subject: member?.id ?? UNKNOWN_LOGIN_STAFF_ID,
      details: { outcome: allowed.code, source_ip: input.source_ip, ...(member ? {} : { login_id: input.login_id.slice(0, UNKNOWN_LOGIN_CHARS_AUDITED) }) },
    });
    return { ok: false, code: allowed.code };
  }
  const checked = await staff.checkLogin(input.login_id, input.password, input.totp_code);
  if (checked.outcome !== 'ok') {
    await throttle.recordFailure(attempt);
    const staff_id = checked.outcome === 'unknown_login' ? UNKNOWN_LOGIN_STAFF_ID : checked.staff_id;
    await audit.record({
      staff_id, action: 'staff.login_failed', subject: staff_id,
      details: { outcome: checked.outcome, source_ip: input.source_ip, ...(checked.outcome === 'unknown_login' ? { login_id: input.login_id.slice(0, UNKNOWN_LOGIN_CHARS_AUDITED) } : {}) },
    });
    return { ok: false, code: 'staff_login_failed' };
  }
  await throttle.recordSuccess(attempt);
  await audit.record({ staff_id: checked.staff.id, action: 'staff.login', subject: checked.staff.id, details: { role: checked.staff.role, source_ip: input.source_ip } });
  return { ok: true, staff: checked.staff };
}
