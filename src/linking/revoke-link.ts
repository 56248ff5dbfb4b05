import type { Queryable } from '../storage/database.ts';

/**
 * Revokes a link inside the caller's transaction; revoking it again changes nothing. Its credential stops charging
 * at once (the charge path reads the status under lock), and the OAuth grant behind a FAPI link goes too, so
 * refresh tokens die with it. `operator_id`, when given, must own the link. True when this call revoked it.
 */
export async function revokeLink(tx: Queryable, link: { id: string; operator_id?: string }, revoked_by: string, now: Date): Promise<boolean> {
  const [revoked] = await tx.query<{ grant_id: string | null }>(
    `UPDATE links SET status = 'revoked', revoked_at = $3, revoked_by = $4
      WHERE id = $1 AND ($2::uuid IS NULL OR operator_id = $2) AND status <> 'revoked' RETURNING grant_id`,
    [link.id, link.operator_id ?? null, now, revoked_by],
  );
  if (revoked?.grant_id) await tx.query(`DELETE FROM oidc_payloads WHERE grant_id = $1`, [revoked.grant_id]);
  return revoked !== undefined;
}

/** What resolving a case did to the link it is about. */
export type CaseLinkSettlement = 'revoked' | 'reactivated' | 'unchanged';

/** Freezes an active link (a "not me", a declined step-up): no charge moves on it until staff settle its case. */
export async function freezeLink(tx: Queryable, link_id: string, now: Date): Promise<void> {
  await tx.query(`UPDATE links SET status = 'frozen', frozen_at = $2 WHERE id = $1 AND status = 'active'`, [link_id, now]);
}

/**
 * Settles the link a case is about as staff resolve it. Fraud revokes it for good, frozen or still active: the
 * operator must link again, through the hardened path. Legitimate lets a link the customer froze with "this
 * wasn't me" charge again, once the bank has spoken with them; an active or revoked link stays as it is.
 */
export async function settleCaseLink(tx: Queryable, link_id: string, resolution: 'fraud' | 'legitimate', by: string, now: Date): Promise<CaseLinkSettlement> {
  const [link] = await tx.query<{ status: string }>(`SELECT status FROM links WHERE id = $1 FOR NO KEY UPDATE`, [link_id]);
  if (!link || link.status === 'revoked') return 'unchanged';
  if (resolution === 'fraud') return (await revokeLink(tx, { id: link_id }, by, now)) ? 'revoked' : 'unchanged';
  if (link.status !== 'frozen') return 'unchanged';
  await tx.query(`UPDATE links SET status = 'active', frozen_at = NULL WHERE id = $1`, [link_id]);
  return 'reactivated';
}
