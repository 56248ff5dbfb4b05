import { timingSafeEqual } from 'node:crypto';
import type { Database, Queryable } from '../storage/database.ts';
import type { Ledger } from '../ledger/ledger-types.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { assert } from '../shared/assert.ts';
import { hashToken, newToken } from '../shared/secret-hash.ts';
import { AccountCode } from '../bank/chart-of-accounts.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import {
  CHARGE_YEN_MAX_DEFAULT,
  CHARGES_YEN_PER_MONTH_MAX_DEFAULT,
  OPERATOR_COLUMNS,
  type ContainmentAction,
  type KycLevel,
  type LinkMethod,
  type Operator,
} from './operator.ts';
import { sourceAddressProblems } from './operator-source-addresses.ts';

export interface NewOperator {
  display_name: string;
  passbook_label: string;
  link_methods_allowed?: LinkMethod[];
  kyc_level_min?: KycLevel;
  charge_yen_max?: number;
  charges_yen_per_month_max?: number;
  /** Public keys (JWKS) for private_key_jwt and KYC attestations: required for FAPI 2.0 links. */
  jwks?: { keys: Record<string, unknown>[] };
  /** Exact redirect URIs for FAPI 2.0 links. */
  redirect_uris?: string[];
  /** Where its servers call from (IPs or CIDR blocks); refresh grants and charges from elsewhere are refused. */
  source_addresses?: string[];
  /** Fixed credentials for the demo; otherwise generated. */
  client_id?: string;
  client_secret?: string;
}

/** The switches staff flip in an incident. */
export type OperatorSwitch = 'new_links_suspended' | 'charges_suspended';

/** Who flipped a switch and why: the audit log keeps both with the time. */
export interface SwitchChange {
  /** Null: the bank itself flipped it (automatic containment), and the reason says why. */
  staff_id: string | null;
  reason: string;
}

/** The client ids whose secret is one of `secrets` (the demo's, checked before `furikae serve` starts). */
export async function clientIdsWithSecret(db: Queryable, secrets: readonly string[]): Promise<string[]> {
  const rows = await db.query<{ client_id: string }>(
    `SELECT client_id FROM operators WHERE client_secret_hash = ANY($1) ORDER BY client_id`, [secrets.map(hashToken)]);
  return rows.map((row) => row.client_id);
}

/** Registry of operators: registration, credentials, policy and switches. */
export function createOperatorRegistry({ db, ledger, clock, ids, audit }: { db: Database; ledger: Ledger; clock: Clock; ids: Ids; audit?: AuditLog }) {
  return {
    /** Registers an operator and its settlement account; the secret is returned once and stored hashed. */
    async register(input: NewOperator): Promise<{ operator: Operator; client_secret: string }> {
      const id = ids.next();
      const settlement_account_id = ids.next();
      const [created] = await ledger.createAccounts([
        { id: settlement_account_id, code: AccountCode.operator_settlement, flags: { debits_must_not_exceed_credits: true } },
      ]);
      assert(created === 'ok', `settlement account: ${created}`);
      const client_id = input.client_id ?? `op_${id.replaceAll('-', '').slice(-16)}`;
      const client_secret = input.client_secret ?? newToken('sk');
      const problems = sourceAddressProblems(input.source_addresses ?? []);
      assert(problems.length === 0, `source addresses: ${problems.join('; ')}`);
      const [operator] = await db.query<Operator>(
        `INSERT INTO operators (id, display_name, passbook_label, client_id, client_secret_hash, settlement_account_id,
           link_methods_allowed, kyc_level_min, charge_yen_max, charges_yen_per_month_max, created_at, jwks, redirect_uris, source_addresses)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING ${OPERATOR_COLUMNS}`,
        [id, input.display_name, input.passbook_label, client_id, hashToken(client_secret), settlement_account_id,
          input.link_methods_allowed ?? ['fapi2'], input.kyc_level_min ?? 'ekyc_document_face',
          input.charge_yen_max ?? CHARGE_YEN_MAX_DEFAULT, input.charges_yen_per_month_max ?? CHARGES_YEN_PER_MONTH_MAX_DEFAULT, clock.now(),
          input.jwks ? JSON.stringify(input.jwks) : null, input.redirect_uris ?? [], (input.source_addresses ?? []).map((entry) => entry.trim())],
      );
      assert(operator, 'operator inserted');
      return { operator, client_secret };
    },

    /** The operator these credentials belong to, or undefined; constant-time on the secret. */
    async authenticate(client_id: string, client_secret: string): Promise<Operator | undefined> {
      const [row] = await db.query<Operator & { client_secret_hash: string }>(
        `SELECT ${OPERATOR_COLUMNS}, client_secret_hash FROM operators WHERE client_id = $1`, [client_id]);
      const expected = Buffer.from(row?.client_secret_hash ?? hashToken('no such operator'));
      const actual = Buffer.from(hashToken(client_secret));
      if (!row || !timingSafeEqual(expected, actual)) return undefined;
      const { client_secret_hash: _, ...operator } = row;
      return operator;
    },

    async get(id: string): Promise<Operator | undefined> {
      const [row] = await db.query<Operator>(`SELECT ${OPERATOR_COLUMNS} FROM operators WHERE id = $1`, [id]);
      return row;
    },

    async list(): Promise<Operator[]> {
      return db.query<Operator>(`SELECT ${OPERATOR_COLUMNS} FROM operators ORDER BY created_at, id`);
    },

    /**
     * Flips a kill switch. The UPDATE waits for charge batches holding the operator row FOR SHARE,
     * so once this returns no charge can commit under the old setting. A staff flip (`change`) is audited
     * with who and why in the same transaction: the switch and its record commit together.
     */
    async setSwitch(id: string, name: OperatorSwitch, on: boolean, change?: SwitchChange): Promise<Operator | undefined> {
      const column = name === 'new_links_suspended' ? 'new_links_suspended' : 'charges_suspended';
      if (!change) {
        const [row] = await db.query<Operator>(`UPDATE operators SET ${column} = $2 WHERE id = $1 RETURNING ${OPERATOR_COLUMNS}`, [id, on]);
        return row;
      }
      assert(audit, 'a staff switch flip needs the audit log');
      assert(change.reason.trim().length > 0, 'a staff switch flip needs a reason');
      return db.transaction(async (tx) => {
        const [before] = await tx.query<Record<OperatorSwitch, boolean>>(`SELECT ${column} FROM operators WHERE id = $1 FOR UPDATE`, [id]);
        if (!before) return undefined;
        const [row] = await tx.query<Operator>(`UPDATE operators SET ${column} = $2 WHERE id = $1 RETURNING ${OPERATOR_COLUMNS}`, [id, on]);
        await audit.append(tx, {
          staff_id: change.staff_id, action: 'operator.switch', subject: id, reason: change.reason.trim(),
          details: { switch: name, on, was: before[column] },
        });
        return row;
      });
    },

    /** The operator's OAuth client registration (public keys and redirect URIs), by client id. */
    async clientRegistration(client_id: string): Promise<(Operator & { jwks: { keys: Record<string, unknown>[] } | null; redirect_uris: string[] }) | undefined> {
      const [row] = await db.query<Operator & { jwks: { keys: Record<string, unknown>[] } | null; redirect_uris: string[] }>(
        `SELECT ${OPERATOR_COLUMNS}, jwks, redirect_uris FROM operators WHERE client_id = $1`, [client_id]);
      return row;
    },

    /**
     * Replaces the addresses the operator's servers call from (empty: not bound), as staff record them from the
     * operator's registration; audited with who and why in the same transaction. Problems come back, nothing changed.
     */
    async setSourceAddresses(id: string, addresses: readonly string[], change: SwitchChange): Promise<{ ok: true; operator: Operator } | { ok: false; problems: string[] } | undefined> {
      const entries = addresses.map((entry) => entry.trim()).filter((entry) => entry.length > 0);
      const problems = sourceAddressProblems(entries);
      if (problems.length > 0) return { ok: false, problems };
      assert(audit, 'a source-address change needs the audit log');
      return db.transaction(async (tx) => {
        const [before] = await tx.query<{ source_addresses: string[] }>(`SELECT source_addresses FROM operators WHERE id = $1 FOR UPDATE`, [id]);
        if (!before) return undefined;
        const [row] = await tx.query<Operator>(`UPDATE operators SET source_addresses = $2 WHERE id = $1 RETURNING ${OPERATOR_COLUMNS}`, [id, entries]);
        await audit.append(tx, {
          staff_id: change.staff_id, action: 'operator.source_addresses', subject: id, reason: change.reason.trim(),
          details: { source_addresses: entries, was: before.source_addresses },
        });
        return { ok: true as const, operator: row! };
      });
    },

    /** Sets the containment policy (level null: never contained automatically), audited with who and why. */
    async setContainmentPolicy(id: string, policy: { level: number | null; action: ContainmentAction }, change: SwitchChange): Promise<Operator | undefined> {
      assert(policy.level === null || (Number.isFinite(policy.level) && policy.level > 1), 'a containment level is above 1 (the operator\'s own busiest window)');
      assert(audit, 'a containment policy change needs the audit log');
      return db.transaction(async (tx) => {
        const [before] = await tx.query<{ containment_level: number | null; containment_action: ContainmentAction }>(
          `SELECT containment_level, containment_action FROM operators WHERE id = $1 FOR UPDATE`, [id]);
        if (!before) return undefined;
        const [row] = await tx.query<Operator>(
          `UPDATE operators SET containment_level = $2, containment_action = $3 WHERE id = $1 RETURNING ${OPERATOR_COLUMNS}`, [id, policy.level, policy.action]);
        await audit.append(tx, {
          staff_id: change.staff_id, action: 'operator.containment_policy', subject: id, reason: change.reason.trim(),
          details: { level: policy.level, action: policy.action, was: before },
        });
        return row;
      });
    },

    /** Replaces the allowed link methods (the demo turns on legacy_pin for its 2020 operator). */
    async setLinkMethods(id: string, methods: LinkMethod[]): Promise<void> {
      await db.query(`UPDATE operators SET link_methods_allowed = $2 WHERE id = $1`, [id, methods]);
    },
  };
}

export type OperatorRegistry = ReturnType<typeof createOperatorRegistry>;
