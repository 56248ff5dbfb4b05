import type { Config } from '../config.ts';
import { createBankApp } from '../bank-app.ts';
import { createWalletApp } from '../wallet/wallet-app.ts';
import { systemClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { DEMO_CUSTOMERS, DEMO_STAFF, DEMO_WALLET_CLIENT_ID, DEMO_WALLET_CLIENT_SECRET, seedDemoBank } from '../demo/demo-seed.ts';
import { openStores } from './open-stores.ts';
import { startMailSink } from '../notify/mail-sink.ts';
import { mailboxPage, MAILBOX_PATH } from '../notify/mailbox-page.ts';
import { noticeOptions } from '../notify/notice-options.ts';

export interface RunningDemo {
  bank_url: string;
  wallet_url: string;
  /** Where the demo shows the e-mails the bank sent, when it runs its own SMTP sink (SMTP_URL unset). */
  mailbox_url: string | undefined;
  close(): Promise<void>;
}

/** Starts the seeded bank and the reference wallet (on the 2020 policy) and returns their URLs. */
export async function startDemo(config: Config): Promise<RunningDemo> {
  const log = createLogger({ level: config.log_level });
  const clock = systemClock;
  const ids = createIds(clock);
  const { bankDb, walletDb } = await openStores(config, { wallet: true });
  // Without SMTP_URL the demo runs its own SMTP sink on loopback: the bank sends real SMTP, and /demo/mailbox shows it.
  const sink = config.smtp_url ? undefined : await startMailSink({ host: '127.0.0.1' });
  const bank = await createBankApp({
    db: bankDb, clock, ids, log: log.child({ app: 'bank' }), credential_fingerprint_key: config.credential_fingerprint_key, public_url: config.public_url,
    ...noticeOptions(config), ...(sink ? { smtp_url: sink.url } : {}),
  });
  if (sink) mailboxPage(bank.app, sink);
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
    mailbox_url: sink ? `${bankAddress}${MAILBOX_PATH}` : undefined,
    async close() {
      await wallet.close();
      await bank.close();
      await sink?.close();
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
    Mail to customers ${demo.mailbox_url ?? `sent to SMTP_URL (${config.smtp_url})`}   SMS ${demo.bank_url}/simulator/sms
  Reference wallet  ${demo.wallet_url}

  ⚠  The demo wallet runs on the 2020 legacy link policy: account number + PIN + name + birth date,
     no second factor. It exists to reproduce the Docomo account thefts. Never enable it elsewhere.

  Demo bank customers:
${customers}

  Try it: open the wallet, sign up, link 山田 花子's account, charge ¥5,000, pay a merchant,
  then log in to the bank as hanako and find the passbook line labelled フリカエウォレット.
  Every link and charge is mailed to the customer: open the mailbox, click 「お心当たりがない場合」's link,
  and the link is frozen; the wallet's next charge is refused with link_frozen, and staff see a dispute case.
  Ctrl-C stops.
`;
}
