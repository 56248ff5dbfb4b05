import type { Queryable } from '../storage/database.ts';
import type { Ledger } from '../ledger/ledger-types.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { FurikaeError } from '../errors/furikae-error.ts';
import type { Operator } from '../operators/operator.ts';
import type { Link } from '../linking/link.ts';
import type { ChargeRisk, ChargeRiskVerdict } from '../risk/charge-risk.ts';

/**
 * Where a charge stands. `pending_approval`: the customer must approve it at the bank with a second factor;
 * `held`: staff must review it. Both reserve the money (a pending ledger transfer) until approved (→ succeeded)
 * or declined or timed out (→ declined, expired), when the reservation is voided and no money moves.
 */
export type ChargeStatus = 'succeeded' | 'pending_approval' | 'held' | 'declined' | 'expired';

/** A charge as the operator sees it. */
export interface Charge {
  id: string;
  link_id: string;
  amount_yen: number;
  refunded_yen: number;
  status: ChargeStatus;
  description: string | null;
  created_at: Date;
  /** While pending_approval or held: when the reservation runs out and the charge expires. */
  approval_expires_at: Date | null;
}

export const CHARGE_COLUMNS = `id, link_id, amount_yen, refunded_yen, status, description, created_at, approval_expires_at`;

/** How the operator proved it may charge a link: the 2020 bearer credential, or a verified DPoP-bound access token. */
export type ChargeCredential =
  | { kind: 'link_token'; token: string }
  | { kind: 'access_token'; link_id: string; client_id: string; dpop_jti: string; dpop_expires_at: Date };

/** What arrives from the HTTP layer: already schema-checked. */
export interface ChargeRequest {
  credential: ChargeCredential;
  /** The link the operator means to charge, if it says; must be the credential's link. */
  link_id: string | null;
  idempotency_key: string;
  amount_yen: number;
  description: string | null;
  /** Where the request came from (the operator's server, for a server-to-server call): what the operator's registered sources bind. */
  source_ip: string;
  /**
   * The end user's address as the operator relayed it (PSU-IP-Address), if it did: the address the risk rules count,
   * since the operator's server is every one of its users'.
   */
  end_user_ip?: string | null;
  /** The end user's device as the operator relayed it (X-Device-Id), if it did: a risk feature. */
  device_id: string | null;
}

/** Where one request stands as it goes down the steps. */
export type ChargeOutcome =
  | { kind: 'open' }
  | { kind: 'charged'; charge: Charge; replayed: boolean }
  /** Money reserved, not moved: waiting for the customer's step-up approval or for staff (charge.status says which). */
  | { kind: 'pending'; charge: Charge; replayed: boolean }
  | { kind: 'refused'; error: FurikaeError }
  /** The same key and body as an earlier item in this batch: answered with that item's outcome. */
  | { kind: 'same_as'; first: ChargeItem };

/** One request inside a batch, filled in by the steps. */
export interface ChargeItem {
  request: ChargeRequest;
  /** Assigned on entry: the charge id and the id of its ledger transfer. */
  charge_id: string;
  link?: Link;
  operator?: Operator;
  /** Fingerprint of link + body, to catch a reused Idempotency-Key. */
  request_hash?: string;
  /** Calendar month in Japan time (YYYY-MM-01) the charge counts against. */
  month?: string;
  /** What the risk step decided, and what it let happen (`allow` for everything in observe mode). */
  risk?: ChargeRiskVerdict;
  outcome: ChargeOutcome;
}

/** What every step may use: the batch's open transaction and the injected parts. */
export interface ChargeContext {
  tx: Queryable;
  ledger: Ledger;
  clock: Clock;
  ids: Ids;
  /** When this batch runs, from the clock: one instant for all its charges. */
  now: Date;
  /** The risk pipeline and where its alerts go; required by the risk step. */
  risk?: ChargeRisk;
}

/**
 * A step of the charge path. It sees every item of the batch, acts only on those still `open`,
 * and may refuse an item by setting its outcome. Steps are set-based: one query per step, not per item.
 */
export interface ChargeStep {
  name: string;
  run(context: ChargeContext, items: ChargeItem[]): Promise<void>;
}

/** The items no step has refused or answered yet. */
export function openItems(items: ChargeItem[]): ChargeItem[] {
  return items.filter((item) => item.outcome.kind === 'open');
}
