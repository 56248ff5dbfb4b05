import type { BankServices } from '../bank-services.ts';
import { DECOY_SECRET_HASH, verifySecret } from '../shared/secret-hash.ts';
import { loginAccountKey, type CredentialAttempt } from '../throttle/credential-attempt.ts';
import type { Customer } from './bank-core.ts';

/** A password check's answer: the customer, or why not (a wrong password and an unknown login id answer alike). */
export type CustomerLogin =
  | { ok: true; customer: Customer }
  | { ok: false; code: 'credential_invalid' | 'credential_attempts_locked' | 'too_many_attempts' };

/**
 * Checks an internet-banking password through the credential throttle: a locked login or a throttled source
 * is refused before the password is even compared, and every outcome is counted. A locked login says so (also
 * on the failure that locks it); it never says whether the password was right.
 */
export async function verifyCustomerPassword(
  services: Pick<BankServices, 'core' | 'throttle'>,
  input: { login_id: string; password: string; source_ip: string; device_id?: string },
): Promise<CustomerLogin> {
  const attempt: CredentialAttempt = {
    credential: 'password', account_key: loginAccountKey(input.login_id), source_ip: input.source_ip,
    device_id: input.device_id, secret: input.password,
  };
  const allowed = await services.throttle.check(attempt);
  const customer = await services.core.findCustomerByLogin(input.login_id);
  // The hash is compared even when refused or unknown, so timing says nothing either.
  const matches = await verifySecret(input.password, customer?.password_hash ?? DECOY_SECRET_HASH);
  if (!allowed.ok) return allowed;
  if (!customer || !matches) {
    const { locked_now } = await services.throttle.recordFailure({ ...attempt, customer_id: customer?.id });
    return { ok: false, code: locked_now ? 'credential_attempts_locked' : 'credential_invalid' };
  }
  await services.throttle.recordSuccess({ ...attempt, customer_id: customer.id });
  const { password_hash: _, ...found } = customer;
  return { ok: true, customer: found };
}
