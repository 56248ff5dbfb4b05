import type { Queryable } from '../storage/database.ts';

/**
 * Writes `count` customers, each with a deposit account and a link to `operator_id`, set-based (one statement per
 * table): the population a campaign reaches, for tests and the enqueue benchmark. Logins, e-mails
 * (`outreach-<prefix>-<n>@example.jp`) and account numbers are numbered; password and PIN hashes are placeholders
 * nobody can log in with. Returns the customers' e-mail addresses in order.
 */
export async function insertLinkedCustomers(db: Queryable, { count, operator_id, method = 'legacy_pin', prefix, now, branch_code = '201' }: {
  count: number; operator_id: string; method?: 'legacy_pin' | 'fapi2'; prefix: string; now: Date; branch_code?: string;
}): Promise<string[]> {
  await db.query(
    `WITH made AS (
       SELECT n, gen_random_uuid() AS customer_id, gen_random_uuid() AS account_id FROM generate_series(1, $1) AS n),
     customers_made AS (
       INSERT INTO customers (id, name_kanji, name_kana, birth_date, phone, email, address, login_id, password_hash, created_at, phone_set_at)
       SELECT customer_id, '顧客 ' || n, 'コキャク ' || n, DATE '1950-01-01' + (n % 20000), '090-0000-0000', 'outreach-' || $2 || '-' || n || '@example.jp',
              '東京都', 'outreach-' || $2 || '-' || n, 'scrypt$not-a-login', $3, $3 FROM made RETURNING id),
     accounts_made AS (
       INSERT INTO bank_accounts (id, customer_id, branch_code, account_number, pin_hash, created_at)
       SELECT account_id, customer_id, $6, lpad((n % 10000000)::text, 7, '0'), 'scrypt$not-a-pin', $3 FROM made
        WHERE EXISTS (SELECT 1 FROM customers_made) RETURNING id)
     INSERT INTO links (id, operator_id, account_id, method, status, charge_yen_max, charges_yen_per_month_max, created_at)
     SELECT gen_random_uuid(), $4, account_id, $5, 'active', 100000, 300000, $3 FROM made WHERE EXISTS (SELECT 1 FROM accounts_made)`,
    [count, prefix, now, operator_id, method, branch_code],
  );
  return Array.from({ length: count }, (_, index) => `outreach-${prefix}-${index + 1}@example.jp`);
}
