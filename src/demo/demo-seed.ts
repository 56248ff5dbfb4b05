import type { BankServices } from '../bank-services.ts';
import type { StaffRole } from '../staff/staff-role.ts';

/** The demo wallet's fixed API credentials: a demo needs them across restarts. Never use them anywhere real. */
export const DEMO_WALLET_CLIENT_ID = 'furikae-wallet-demo';
export const DEMO_WALLET_CLIENT_SECRET = 'sk_demo_wallet_2020_legacy_not_for_production';
/**
 * The hardened demo wallet's client id, and its secret for the operator API only (reading and revoking links):
 * it links and charges through OAuth with its own key pair, whose public half the demo registers at start.
 */
export const DEMO_SECURE_WALLET_CLIENT_ID = 'furikae-wallet-secure-demo';
export const DEMO_SECURE_WALLET_CLIENT_SECRET = 'sk_demo_wallet_secure_operator_api_not_for_production';
/** What the hardened demo wallet shows in its header and the bank prints on the passbook. */
export const DEMO_SECURE_WALLET = { display_name: 'フリカエ・ウォレット セキュア', passbook_label: 'フリカエセキュア' } as const;

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

/** The demo's staff admin: may flip kill switches and unlock, besides everything the others may do. */
export const DEMO_STAFF = { login_id: 'staff', password: 'staff-demo-2026', display_name: '監視チーム 田中', role: 'admin' } as const;

/**
 * The authenticator secret every demo staff member is enrolled with (base32): published here and printed by
 * `furikae demo`, whose /simulator/authenticator page shows its current code. `furikae serve` refuses a database
 * where any staff member still has it.
 */
export const DEMO_STAFF_TOTP_SECRET = 'FURIKAEDEMOSTAFFNOTFORPRODUCTION';

/** Demo staff, one per role, so the console can be tried as each (src/staff/staff-role.ts). */
export const DEMO_STAFF_MEMBERS = [
  DEMO_STAFF,
  { login_id: 'analyst', password: 'analyst-demo-2026', display_name: '不正調査 佐藤', role: 'analyst' },
  { login_id: 'viewer', password: 'viewer-demo-2026', display_name: '監査室 鈴木', role: 'viewer' },
] as const satisfies readonly { login_id: string; password: string; display_name: string; role: StaffRole }[];

/**
 * Adds the demo staff who are missing, gives each their demo role and enrols their authenticator with the demo
 * secret. It runs on every seed, so a demo database made before staff had roles (when everyone became a viewer) or
 * a second factor gets its admin back, able to log in.
 */
async function seedDemoStaff(services: BankServices): Promise<void> {
  for (const member of DEMO_STAFF_MEMBERS) {
    const found = await services.staff.findByLogin(member.login_id) ?? { ...(await services.staff.create(member)), totp_enrolled_at: null };
    if (found.role !== member.role) await services.staff.setRole(found.id, member.role);
    if (!found.totp_enrolled_at) await services.staff.enrolTotp(found.id, { secret: DEMO_STAFF_TOTP_SECRET });
  }
}

/** Seeds the demo bank once; a second run finds the wallet operator and changes nothing. */
export async function seedDemoBank(services: BankServices): Promise<{ seeded: boolean }> {
  const { db, core, operators } = services;
  await seedDemoStaff(services);
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
  return { seeded: true };
}

/**
 * Registers the hardened demo wallet as a FAPI 2.0 operator with the wallet's public keys and callback, or, when it
 * is there already, brings its keys and callback up to date (the wallet's database may have been reset on its own).
 */
export async function seedDemoHardenedOperator(
  services: BankServices,
  registration: { jwks: { keys: Record<string, unknown>[] }; redirect_uris: string[] },
): Promise<{ seeded: boolean }> {
  const { db, operators } = services;
  const updated = await db.query(
    `UPDATE operators SET jwks = $2, redirect_uris = $3 WHERE client_id = $1 RETURNING id`,
    [DEMO_SECURE_WALLET_CLIENT_ID, JSON.stringify(registration.jwks), registration.redirect_uris],
  );
  if (updated.length > 0) return { seeded: false };
  await operators.register({
    ...DEMO_SECURE_WALLET,
    // The hardened policy: FAPI 2.0 consent only, after document-and-face eKYC.
    link_methods_allowed: ['fapi2'],
    kyc_level_min: 'ekyc_document_face',
    client_id: DEMO_SECURE_WALLET_CLIENT_ID,
    client_secret: DEMO_SECURE_WALLET_CLIENT_SECRET,
    jwks: registration.jwks,
    redirect_uris: registration.redirect_uris,
  });
  return { seeded: true };
}
