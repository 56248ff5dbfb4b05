import type { Config } from '../config.ts';
import { createBankApp } from '../bank-app.ts';
import { createWalletApp } from '../wallet/wallet-app.ts';
import { systemClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { DEMO_CUSTOMERS, DEMO_STAFF, DEMO_WALLET_CLIENT_ID, DEMO_WALLET_CLIENT_SECRET, seedDemoBank } from '../demo/demo-seed.ts';
import { openStores } from './open-stores.ts';

export interface RunningDemo {
  bank_url: string;
  wallet_url: string;
  close(): Promise<void>;
}

/** Starts the seeded bank and the reference wallet (on the 2020 policy) and returns their URLs. */
export async function startDemo(config: Config): Promise<RunningDemo> {
  const log = createLogger({ level: config.log_level });
  const clock = systemClock;
  const ids = createIds(clock);
  const { bankDb, walletDb } = await openStores(config, { wallet: true });
  const bank = await createBankApp({ db: bankDb, clock, ids, log: log.child({ app: 'bank' }), credential_fingerprint_key: config.credential_fingerprint_key, public_url: config.public_url });
  await seedDemoBank(bank.services);
  const bankAddress = await bank.app.listen({ host: config.host, port: config.bank_port });
  const wallet = await createWalletApp({
    db: walletDb!,
    clock,
    ids,
    log: log.child({ app: 'wallet' }),
    bank: { base_url: bankAddress, client_id: DEMO_WALLET_CLIENT_ID, client_secret: DEMO_WALLET_CLIENT_SECRET },
    operator_name: 'フリカエ・ウォレット (2020 mode)',
  });
  const walletAddress = await wallet.app.listen({ host: config.host, port: config.wallet_port });
  return {
    bank_url: bankAddress,
    wallet_url: walletAddress,
    async close() {
      await wallet.close();
      await bank.close();
      await walletDb!.close();
      await bankDb.close();
    },
  };
}

/** What `furikae demo` prints: where to go and how to log in. Demo PINs are printed on purpose; they open nothing real. */
export function demoBanner(demo: RunningDemo, config: Config): string {
  const storage = config.database_url ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.data_dir}`;
  const customers = DEMO_CUSTOMERS.map(
    (c) => `    ${c.name_kanji} (${c.name_kana}, born ${c.birth_date})  login ${c.login_id} / ${c.password}   branch ${c.branch_code} account ${c.account_number} PIN ${c.pin}`,
  ).join('\n');
  return `
furikae demo is running on ${storage}

  Bank (API, customer and staff pages)  ${demo.bank_url}
    API docs         ${demo.bank_url}/docs      OpenAPI ${demo.bank_url}/openapi.json
    Customer pages   ${demo.bank_url}/bank/login
    Staff console    ${demo.bank_url}/staff/login   login ${DEMO_STAFF.login_id} / ${DEMO_STAFF.password}
  Reference wallet  ${demo.wallet_url}

  ⚠  The demo wallet runs on the 2020 legacy link policy: account number + PIN + name + birth date,
     no second factor. It exists to reproduce the Docomo account thefts. Never enable it elsewhere.

  Demo bank customers:
${customers}

  Try it: open the wallet, sign up, link 山田 花子's account, charge ¥5,000, pay a merchant,
  then log in to the bank as hanako and find the passbook line labelled フリカエウォレット.
  Ctrl-C stops.
`;
}
