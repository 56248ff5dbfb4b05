/**
 * Creates ledger accounts. The id is the idempotency key, as for transfers: creating the same account
 * again is `exists`, with other fields a conflict.
 */
import { assert } from '../shared/assert.ts';
import type { Database } from '../storage/database.ts';
import { isUuid } from './is-uuid.ts';
import { accountFlagBits, ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS, ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS } from './ledger-rows.ts';
import type { CreateAccountResult, NewAccount } from './ledger-types.ts';

/** Most accounts one call creates: a bank's onboarding run is chunked, so one call never holds a huge transaction. */
export const CREATE_ACCOUNTS_MAX = 8190;

const BOTH_FLAGS = ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS | ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS;

function compare(account: NewAccount, flags: number, existing: { code: number; flags: number }): CreateAccountResult {
  if (flags !== existing.flags) return 'exists_with_different_flags';
  if (account.code !== existing.code) return 'exists_with_different_code';
  return 'exists';
}

/** Creates `accounts` in one transaction; a result per account, in order. */
export async function createAccounts(db: Database, accounts: readonly NewAccount[], now: Date): Promise<CreateAccountResult[]> {
  assert(accounts.length <= CREATE_ACCOUNTS_MAX, `at most ${CREATE_ACCOUNTS_MAX} accounts per call`);
  for (const account of accounts) {
    assert(isUuid(account.id), `account id ${String(account.id)} must be a lower-case UUID`);
    assert(Number.isSafeInteger(account.code) && account.code >= 0 && account.code <= 2_147_483_647, `account ${account.id}: code must fit int4`);
  }
  const results: (CreateAccountResult | undefined)[] = [];
  // The first valid occurrence of each id is the one written; later ones in the same call compare with it.
  const first = new Map<string, { account: NewAccount; flags: number }>();
  for (const account of accounts) {
    const flags = accountFlagBits(account.flags);
    if ((flags & BOTH_FLAGS) === BOTH_FLAGS) {
      results.push('flags_are_mutually_exclusive');
      continue;
    }
    const earlier = first.get(account.id);
    if (earlier) {
      results.push(compare(account, flags, { code: earlier.account.code, flags: earlier.flags }));
      continue;
    }
    first.set(account.id, { account, flags });
    results.push(undefined);
  }
  if (first.size === 0) return results as CreateAccountResult[];
  const candidates = [...first.values()];
  return db.transaction(async (tx) => {
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO ledger_accounts (id, code, flags, created_at)
       SELECT id, code, flags, $4 FROM unnest($1::uuid[], $2::int4[], $3::int4[]) AS u (id, code, flags)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [candidates.map((c) => c.account.id), candidates.map((c) => c.account.code), candidates.map((c) => c.flags), now],
    );
    const created = new Set(inserted.map((row) => row.id));
    const conflicting = candidates.filter((c) => !created.has(c.account.id)).map((c) => c.account.id);
    const stored = new Map<string, { code: number; flags: number }>();
    if (conflicting.length > 0) {
      const rows = await tx.query<{ id: string; code: number; flags: number }>(
        `SELECT id, code, flags FROM ledger_accounts WHERE id = ANY($1::uuid[])`,
        [conflicting],
      );
      for (const row of rows) stored.set(row.id, row);
    }
    return accounts.map((account, index) => {
      const result = results[index];
      if (result !== undefined) return result;
      if (created.has(account.id)) return 'ok';
      const existing = stored.get(account.id);
      assert(existing !== undefined, `account ${account.id} conflicted, so it is stored`);
      return compare(account, accountFlagBits(account.flags), existing);
    });
  });
}
