import type { Database } from '../storage/database.ts';
import { clientIdsWithSecret } from '../operators/operator-registry.ts';
import type { StaffDirectory } from '../staff/staff-directory.ts';
import { DEMO_SECURE_WALLET_CLIENT_SECRET, DEMO_STAFF_MEMBERS, DEMO_STAFF_TOTP_SECRET, DEMO_WALLET_CLIENT_SECRET } from './demo-seed.ts';

/** The operator secrets the demo seeds: printed in the source, so they open nothing anywhere real. */
export const DEMO_OPERATOR_SECRETS = [DEMO_WALLET_CLIENT_SECRET, DEMO_SECURE_WALLET_CLIENT_SECRET] as const;

/**
 * The demo's secrets found in a bank database, one line each: an operator whose secret is a demo secret (under
 * any client id), a staff member whose password is a demo password (under any login) or whose authenticator has
 * the demo secret. `furikae serve` refuses to
 * start while any is found; a database seeded by `furikae demo` or `furikae seed` has them all.
 */
export async function demoSecretsInDatabase({ db, staff }: { db: Database; staff: StaffDirectory }): Promise<string[]> {
  const [clients, logins, authenticators] = await Promise.all([
    clientIdsWithSecret(db, DEMO_OPERATOR_SECRETS),
    staff.loginsWithPassword(DEMO_STAFF_MEMBERS.map((member) => member.password)),
    staff.loginsWithTotpSecret([DEMO_STAFF_TOTP_SECRET]),
  ]);
  return [
    ...clients.map((client_id) => `operator ${client_id} authenticates with a demo secret published in the source (a database "furikae demo" or "furikae seed" wrote is not for production)`),
    ...logins.map((login_id) => `staff member ${login_id} has a demo password published in the source (a database "furikae demo" or "furikae seed" wrote is not for production)`),
    ...authenticators.map((login_id) => `staff member ${login_id} has the demo authenticator secret published in the source: enrol a new one (furikae staff enrol ${login_id})`),
  ];
}
