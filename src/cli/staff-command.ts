import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import type { Config } from '../config.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import { createStaffDirectory, STAFF_LOGIN_ID } from '../staff/staff-directory.ts';
import { isStaffRole, STAFF_ROLES } from '../staff/staff-role.ts';
import { createCredentialThrottle } from '../throttle/credential-throttle.ts';
import { staffAccountKey } from '../throttle/credential-attempt.ts';
import { systemClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { openStores } from './open-stores.ts';

/** Bytes of a generated first password: 120 bits, 20 characters to paste into a password manager. */
const GENERATED_PASSWORD_BYTES = 15;
/** Longest display name: a name and a team. */
const DISPLAY_NAME_CHARS_MAX = 100;

export const STAFF_COMMAND_HELP = `furikae staff add <login-id> --name "<display name>" --role ${STAFF_ROLES.join('|')}
furikae staff enrol <login-id>
furikae staff unlock <login-id>
  Provisions console staff out of band, so that nobody holding only a password can give themselves a second factor.
  add     creates the member with a generated password and an authenticator secret, and prints both ONCE with the
          otpauth:// URI to add to their authenticator app (as a QR code or by hand). Hand them over in person.
  enrol   gives the member a new authenticator secret (a lost or replaced phone) and prints its otpauth:// URI ONCE;
          the old app stops working at once.
  unlock  lifts the lock after five failed console logins (an admin can also do it at /staff/security).
  Each is recorded in the audit log under the member, with the operating-system user who ran it.
`;

/** Runs `furikae staff <add|enrol|unlock>`; resolves with the exit code. Secrets go to stdout once, never to the log. */
export async function runStaffCommand(config: Config, args: readonly string[], options: { name?: string; role?: string }): Promise<number> {
  const [action, login_id] = args;
  if (!action || !['add', 'enrol', 'unlock'].includes(action) || !login_id) {
    console.error(STAFF_COMMAND_HELP);
    return 1;
  }
  if (!STAFF_LOGIN_ID.test(login_id)) {
    console.error(`furikae staff: a login id is 2 to 64 of a-z 0-9 . _ - (starting with a letter or digit), got "${login_id}"`);
    return 1;
  }
  const { bankDb: db } = await openStores(config, { wallet: false });
  try {
    const clock = systemClock;
    const ids = createIds(clock);
    const staff = createStaffDirectory({ db, clock, ids });
    const audit = createAuditLog({ db, clock, ids, key: config.audit_key });
    const via = { via: 'furikae staff', os_user: userInfo().username };
    if (action === 'add') {
      if (!options.name || options.name.length > DISPLAY_NAME_CHARS_MAX || !isStaffRole(options.role)) {
        console.error(`furikae staff add: give --name (1 to ${DISPLAY_NAME_CHARS_MAX} characters) and --role ${STAFF_ROLES.join('|')}`);
        return 1;
      }
      if (await staff.findByLogin(login_id)) {
        console.error(`furikae staff add: ${login_id} exists already (furikae staff enrol ${login_id} gives them a new authenticator)`);
        return 1;
      }
      const password = randomBytes(GENERATED_PASSWORD_BYTES).toString('base64url');
      const member = await staff.create({ login_id, display_name: options.name, password, role: options.role });
      const enrolment = (await staff.enrolTotp(member.id))!;
      await audit.record({ staff_id: member.id, action: 'staff.created', subject: member.id, details: { role: member.role, ...via } });
      console.log(`Staff member ${login_id} (${options.name}, ${member.role}) created. Shown once; hand it over in person:
  password              ${password}
  authenticator secret  ${enrolment.secret}
  otpauth URI           ${enrolment.otpauth_uri}`);
      return 0;
    }
    const member = await staff.findByLogin(login_id);
    if (!member) {
      console.error(`furikae staff ${action}: no staff member ${login_id}`);
      return 1;
    }
    if (action === 'enrol') {
      const enrolment = (await staff.enrolTotp(member.id))!;
      await audit.record({ staff_id: member.id, action: 'staff.totp_enrolled', subject: member.id, details: via });
      console.log(`New authenticator for ${login_id}; the old one no longer works. Shown once:
  authenticator secret  ${enrolment.secret}
  otpauth URI           ${enrolment.otpauth_uri}`);
      return 0;
    }
    const throttle = createCredentialThrottle({
      db, clock, ids, log: createLogger({ level: 'warn' }), fingerprint_key: config.credential_fingerprint_key, notifyCustomer: async () => {},
    });
    const unlocked = await throttle.unlockAccountKey('staff_login', staffAccountKey(login_id), { by: `cli:${via.os_user}` });
    if (!unlocked) {
      console.log(`${login_id} was not locked; nothing changed`);
      return 0;
    }
    await audit.record({ staff_id: member.id, action: 'staff.login_unlocked', subject: member.id, details: via });
    console.log(`${login_id} unlocked`);
    return 0;
  } finally {
    await db.close();
  }
}
