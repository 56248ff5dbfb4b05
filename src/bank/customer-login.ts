import type { BankServices } from '../bank-services.ts';
import { DECOY_SECRET_HASH, verifySecret } from '../shared/secret-hash.ts';
import { loginAccountKey, type CredentialAttempt } from '../throttle/credential-attempt.ts';
import type { Customer } from './bank-core.ts';

/**
 * Checks an internet-banking password through the credential throttle: a locked login or a throttled source
 * is refused before the password is even compared, and every outcome is counted. The answer never says why.
 */
export async function verifyCustomerPassword(
  services: Pick<BankServices, 'core' | 'throttle'>,
  input: { login_id: string; password: string; source_ip: string; device_id?: string },
): Promise<Customer | undefined> {
  const attempt: CredentialAttempt = {
    credential: 'password', account_key: loginAccountKey(input.login_id), source_ip: input.source_ip,
    device_id: input.device_id, secret: input.password,
  };
  const allowed = await services.throttle.check(attempt);
  const customer = await services.core.findCustomerByLogin(input.login_id);
  // The hash is compared even when refused or unknown, so timing says nothing either.
  const matches = await verifySecret(input.password, customer?.password_hash ?? DECOY_SECRET_HASH);
  if (!allowed.ok) return undefined;
  if (!customer || !matches) {
    await services.throttle.recordFailure({ ...attempt, customer_id: customer?.id });
    return undefined;
  }
  await services.throttle.recordSuccess({ ...attempt, customer_id: customer.id });
  const { password_hash: _, ...found } = customer;
  return found;
}
