import type { Database } from '../storage/database.ts';
import { createHistoryBank } from './history-bank.ts';

/**
 * A small 2020 story for the scan's page tests, written into a migrated bank: a thief's phone linking three elderly
 * customers' accounts and charging ¥100,000 at once, and six honest customers topping up. Returns the thieves' links.
 */
export async function plantScanHistory(db: Database, { quiet_customers = 0 }: { quiet_customers?: number } = {}): Promise<{ theft_link_ids: string[]; honest_link_ids: string[] }> {
  const bank = createHistoryBank(db);
  const operator = await bank.operator('scan-page-wallet', 'legacy_pin');
  const theft_link_ids: string[] = [];
  const honest_link_ids: string[] = [];
  for (let n = 1; n <= 3; n += 1) {
    const victim = await bank.customer({ birth_date: `194${n}-04-0${n}`, balance_yen: 150_000 * n });
    const link = await bank.link(victim, operator, `2020-08-0${n}T10:00:00Z`, { device_id: 'thief-phone-2020' });
    bank.charge(link, operator, 100_000, `2020-08-0${n}T10:20:00Z`);
    bank.charge(link, operator, Math.min(100_000, 150_000 * n - 100_000), `2020-08-0${n}T12:00:00Z`);
    theft_link_ids.push(link.id);
  }
  for (let n = 1; n <= 6; n += 1) {
    const customer = await bank.customer({ birth_date: `198${n}-06-1${n}`, balance_yen: 800_000 });
    bank.signIn(customer, '2020-05-01T00:00:00Z');
    const link = await bank.link(customer, operator, `2020-03-0${n}T09:00:00Z`);
    for (let month = 3; month <= 9; month += 1) bank.charge(link, operator, 1_000 * (n + month), `2020-0${month}-1${n}T09:00:00Z`);
    honest_link_ids.push(link.id);
  }
  // Customers with no wallet at all: they make a scan in one-customer chunks take long enough to watch.
  for (let n = 0; n < quiet_customers; n += 1) await bank.customer({ birth_date: '1970-01-01', balance_yen: 100_000 });
  await bank.finish();
  return { theft_link_ids, honest_link_ids };
}
