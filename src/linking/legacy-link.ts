import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { DECOY_SECRET_HASH, hashToken, newToken, verifySecret } from '../shared/secret-hash.ts';
import { linksSuspended, type Operator } from '../operators/operator.ts';
import { normalizeKanaName } from './kana-name.ts';
import { LINK_COLUMNS, type Link } from './link.ts';
import type { CredentialThrottle } from '../throttle/credential-throttle.ts';
import { pinAccountKey, type CredentialAttempt } from '../throttle/credential-attempt.ts';
import { SIGN_IN_REFUSAL_TEXT } from '../bank/credential-lock-text.ts';
import type { LinkRisk } from '../risk/link-risk.ts';
import { enqueueLinkNotices } from '../notify/enqueue-link-notices.ts';
import type { EndUserAddress } from '../throttle/end-user-address.ts';

export interface LegacyLinkRequest {
  branch_code: string;
  account_number: string;
  pin: string;
  name_kana: string;
  birth_date: string;
}

/** Where a legacy link request came from: the operator's server address, and the end user's address and device it relayed, if any. */
export interface LegacyLinkSource {
  ip: string;
  end_user_ip?: EndUserAddress;
  device_id?: string;
}

interface AccountForLink {
  id: string;
  customer_id: string;
  pin_hash: string;
  name_kana: string;
  birth_date: string;
}

/**
 * The 2020 link path: account number, 4-digit PIN, name and date of birth, sent by the operator,
 * and no second factor. It is what the thieves used; it exists so the lab can reproduce them,
 * and only operators whose policy lists `legacy_pin` may call it.
 * Every mismatch gives the same answer, and an unknown account costs the same scrypt as a wrong PIN.
 * The credential throttle decides before the PIN is looked at, so its refusal never says whether the PIN was right.
 */
export async function createLegacyLink(
  { db, clock, ids, throttle, linkRisk }: { db: Database; clock: Clock; ids: Ids; throttle: CredentialThrottle; linkRisk: LinkRisk },
  operator: Operator,
  request: LegacyLinkRequest,
  source: LegacyLinkSource,
): Promise<{ link: Link; link_token: string }> {
  if (!operator.link_methods_allowed.includes('legacy_pin')) {
    throw new FurikaeError('link_method_not_allowed', `${operator.display_name} may not link with account number and PIN`);
  }
  if (linksSuspended(operator)) throw new FurikaeError('new_links_suspended', `New links to ${operator.display_name} are suspended`);

  const attempt: CredentialAttempt = {
    credential: 'legacy_pin', account_key: pinAccountKey(request.branch_code, request.account_number), operator_id: operator.id,
    source_ip: source.ip, ...(source.end_user_ip === undefined ? {} : { end_user_ip: source.end_user_ip }),
    ...(source.device_id === undefined ? {} : { device_id: source.device_id }), secret: request.pin,
  };
  const decision = await throttle.check(attempt);
  if (decision.ok === false && decision.code === 'credential_attempts_locked') throw new FurikaeError('credential_attempts_locked', SIGN_IN_REFUSAL_TEXT.pin_locked.en);
  if (!decision.ok) throw new FurikaeError(decision.code);

  const [account] = await db.query<AccountForLink>(
    `SELECT a.id, a.customer_id, a.pin_hash, c.name_kana, c.birth_date::text AS birth_date
       FROM bank_accounts a JOIN customers c ON c.id = a.customer_id
      WHERE a.branch_code = $1 AND a.account_number = $2`,
    [request.branch_code, request.account_number],
  );
  const pinMatches = await verifySecret(request.pin, account?.pin_hash ?? DECOY_SECRET_HASH);
  const matches =
    account !== undefined &&
    pinMatches &&
    normalizeKanaName(account.name_kana) === normalizeKanaName(request.name_kana) &&
    account.birth_date === request.birth_date;
  if (!account || !matches) {
    const { locked_now } = await throttle.recordFailure({ ...attempt, ...(account ? { customer_id: account.customer_id } : {}) });
    // The failure that locks says "locked" at once, so the wallet can tell its user whom to call; a lock follows only
    // failures, so it says nothing a mismatch had not.
    if (locked_now) throw new FurikaeError('credential_attempts_locked', SIGN_IN_REFUSAL_TEXT.pin_locked.en);
    throw new FurikaeError('link_credentials_mismatch', 'The account details do not match');
  }
  await throttle.recordSuccess({ ...attempt, customer_id: account.customer_id });
  // Risk at link time, once the details matched. A denial (recorded, and alerted to staff) answers exactly like a
  // mismatch: a distinct refusal here would tell whoever is guessing that the PIN was right.
  const assessment = await linkRisk.assess({
    operator_id: operator.id, charge_yen_max: operator.charge_yen_max, account_id: account.id, method: 'legacy_pin',
    // The end user's address when relayed: the operator's own is every one of its users'.
    kyc_level: null, identity_match_score: null, source_ip: source.end_user_ip?.address ?? source.ip, device_id: source.device_id ?? null,
    wallet_subject: null,
  }).catch((error: unknown) => {
    if (error instanceof FurikaeError && error.code === 'link_denied') throw new FurikaeError('link_credentials_mismatch', 'The account details do not match');
    throw error;
  });

  const link_token = newToken('lk');
  // The customer's notice commits with the link, or neither does: no link is ever made in silence.
  const link = await db.transaction(async (tx) => {
    const [inserted] = await tx.query<Link>(
      `INSERT INTO links (id, operator_id, account_id, method, status, token_hash, charge_yen_max, charges_yen_per_month_max, created_at)
       VALUES ($1, $2, $3, 'legacy_pin', 'active', $4, $5, $6, $7) RETURNING ${LINK_COLUMNS}`,
      [ids.next(), operator.id, account.id, hashToken(link_token), operator.charge_yen_max, operator.charges_yen_per_month_max, clock.now()],
    );
    if (!inserted) throw new Error('link insert returned nothing');
    await enqueueLinkNotices(tx, { ids, clock }, inserted.id);
    await linkRisk.record(tx, assessment, inserted.id);
    return inserted;
  });
  return { link, link_token };
}
