import type { BankServices } from '../bank-services.ts';
import { hashSecret } from '../shared/secret-hash.ts';

/** The demo wallet's fixed API credentials: a demo needs them across restarts. Never use them anywhere real. */
export const DEMO_WALLET_CLIENT_ID = 'furikae-wallet-demo';
export const DEMO_WALLET_CLIENT_SECRET = 'sk_demo_wallet_2020_legacy_not_for_production';

/** Demo customers: the first is elderly, as many of 2020's victims were. Their PINs are printed by `furikae demo`. */
export const DEMO_CUSTOMERS = [
  {
    name_kanji: '山田 花子', name_kana: 'ヤマダ ハナコ', birth_date: '1948-03-15', phone: '090-1234-5678',
    email: 'hanako.yamada@example.jp', address: '宮城県仙台市青葉区本町1-1', login_id: 'hanako', password: 'hanako-demo-2026',
    branch_code: '101', account_number: '1234567', pin: '4321', balance_yen: 480_000,
  },
  {
    name_kanji: '佐藤 一郎', name_kana: 'サトウ イチロウ', birth_date: '1979-11-02', phone: '080-2345-6789',
    email: 'ichiro.sato@example.jp', address: '福島県福島市栄町2-2', login_id: 'ichiro', password: 'ichiro-demo-2026',
    branch_code: '102', account_number: '2345678', pin: '1980', balance_yen: 152_300,
  },
  {
    name_kanji: '鈴木 美咲', name_kana: 'スズキ ミサキ', birth_date: '1995-07-21', phone: '070-3456-7890',
    email: 'misaki.suzuki@example.jp', address: '岡山県岡山市北区丸の内3-3', login_id: 'misaki', password: 'misaki-demo-2026',
    branch_code: '101', account_number: '3456789', pin: '0721', balance_yen: 36_000,
  },
] as const;

export const DEMO_STAFF = { login_id: 'staff', password: 'staff-demo-2026', display_name: '監視チーム 田中' } as const;

/** Seeds the demo bank once; a second run finds the wallet operator and changes nothing. */
export async function seedDemoBank(services: BankServices): Promise<{ seeded: boolean }> {
  const { db, core, operators, clock, ids } = services;
  const [existing] = await db.query(`SELECT 1 FROM operators WHERE client_id = $1`, [DEMO_WALLET_CLIENT_ID]);
  if (existing) return { seeded: false };
  await operators.register({
    display_name: 'フリカエ・ウォレット (2020 mode)',
    passbook_label: 'フリカエウォレット',
    // The demo reproduces 2020: this one operator may link with account number and PIN. Never the default.
    link_methods_allowed: ['legacy_pin'],
    kyc_level_min: 'none',
    client_id: DEMO_WALLET_CLIENT_ID,
    client_secret: DEMO_WALLET_CLIENT_SECRET,
  });
  for (const person of DEMO_CUSTOMERS) {
    const customer = await core.openCustomer(person);
    const account = await core.openAccount({ customer_id: customer.id, branch_code: person.branch_code, account_number: person.account_number, pin: person.pin });
    await core.deposit(account.id, person.balance_yen, '振込 キュウヨ');
  }
  await db.query(
    `INSERT INTO staff_users (id, login_id, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
    [ids.next(), DEMO_STAFF.login_id, DEMO_STAFF.display_name, await hashSecret(DEMO_STAFF.password), clock.now()],
  );
  return { seeded: true };
}
