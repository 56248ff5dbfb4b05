import * as client from 'openid-client';
import { openDatabase } from '../storage/open-database.ts';
import { createBankFixture } from '../testing/bank-fixture.ts';
import { createFapiOperator, type FapiOperator } from '../testing/fapi-operator.ts';
import { walkConsent } from '../testing/consent-walk.ts';
import type { TestBackend } from '../testing/test-databases.ts';
import { benchRiskConfig } from './bench-risk-config.ts';
import { BENCH_RATE_LIMITS } from './bench-rate-limits.ts';

/** Each customer links one account to this many operators: two wallets, as many customers have. */
export const OPERATORS_COUNT = 2;
/** Enough for a customer's balance never to run out under the bench's ¥1 charges. */
const OPENING_BALANCE_YEN = 100_000_000;
const PASSWORD = 'bench-password-long-enough';
/**
 * How far the seeding bank's clock moves before each round of links: past the authenticator step the last round's
 * logins used, and past the SMS resend wait, so each customer's next login and consent codes are fresh.
 */
const ROUND_CLOCK_STEP_MS = 2 * 60_000;
/** Customers walking through the link flow at once: enough to overlap the password hashing with the round trips. */
const SEED_WALKS_CONCURRENT = 8;

/** One FAPI link as its operator holds it: DPoP-bound tokens under the operator's DPoP key. */
export interface SeededLink {
  operator: FapiOperator;
  access_token: string;
  refresh_token: string;
}

export interface HardenedSeed {
  /** Where the seeding bank listened: the bank under load must take the same origin (the tokens' issuer, the proofs' htu). */
  url: string;
  port: number;
  links: SeededLink[];
}

/**
 * Seeds a PostgreSQL database with `customers` customers, each with an authenticator app and one account linked to
 * each of OPERATORS_COUNT FAPI operators through the real flow: the operator's KYC attestation and PAR with
 * openid-client, the customer's password login and SMS code, consent approved with another SMS code (customers with
 * no authenticator, so the walk never moves the clock, which an authenticator's next step would), and the DPoP-bound code
 * exchange. The seeding bank runs in this process on a clock a few minutes behind the wall clock that moves only
 * between rounds (one round per operator); then it stops and frees its port.
 */
export async function seedHardenedLinks(options: { database_url: string; customers: number; progress?: (line: string) => void }): Promise<HardenedSeed> {
  const backend: TestBackend = { name: 'postgres', skip: false, concurrent_transactions: true, open: () => openDatabase({ database_url: options.database_url }) };
  const fixture = await createBankFixture(backend, { listen: true, rate_limits: BENCH_RATE_LIMITS, risk: { config: benchRiskConfig() } });
  try {
    const walks = options.customers * OPERATORS_COUNT;
    // The clock starts in the past and moves only between rounds (never during one), so concurrent walks all see one
    // time; a round's two SMS codes per customer stay within the hourly cap, and the next round is past the resend interval.
    fixture.clock.set(new Date(Date.now() - (OPERATORS_COUNT + 2) * ROUND_CLOCK_STEP_MS));
    const { core } = fixture.bank.services;
    const customers: Array<{ login_id: string; kyc: { name_kana: string; birth_date: string; phone: string } }> = [];
    for (let i = 0; i < options.customers; i++) {
      const kyc = { name_kana: `ベンチ ${i}`, birth_date: '1975-04-01', phone: `090-${String(2000 + i).padStart(4, '0')}-0000` };
      const login_id = `bench-customer-${i}`;
      const person = await core.openCustomer({
        name_kanji: `試験 ${i}`, ...kyc, email: `bench-${i}@example.jp`, address: '東京都千代田区1-1', login_id, password: PASSWORD,
      });
      const account = await core.openAccount({ customer_id: person.id, branch_code: '002', account_number: String(2_000_000 + i), pin: '2468' });
      await core.deposit(account.id, OPENING_BALANCE_YEN, '給与');
      customers.push({ login_id, kyc });
    }
    const operators: FapiOperator[] = [];
    for (let n = 0; n < OPERATORS_COUNT; n++) {
      operators.push(await createFapiOperator({
        bank_url: fixture.url, operators: fixture.bank.services.operators, now: () => fixture.clock.now(),
        display_name: `ベンチ・ペイ ${n + 1}`, passbook_label: `ベンチペイ${n + 1}`,
      }));
    }
    const links: SeededLink[] = [];
    for (const operator of operators) {
      fixture.clock.advance(ROUND_CLOCK_STEP_MS);
      let next = 0;
      const walker = async () => {
        for (let index = next++; index < customers.length; index = next++) {
          const customer = customers[index]!;
          const { url, code_verifier } = await operator.startLink(await operator.attest(customer.kyc));
          // Login and consent with SMS codes: the walk leaves the clock where it is.
          const walked = await walkConsent(fixture, url, {
            login_id: customer.login_id, password: PASSWORD, login_factor: 'sms', consent_factor: 'sms', phone: customer.kyc.phone,
          });
          if (!walked.callback) throw new Error(`link ${links.length + 1}: the bank did not send the browser back (status ${walked.status})`);
          const tokens = await operator.exchange(walked.callback, code_verifier);
          if (!tokens.refresh_token) throw new Error('the bank issued no refresh token');
          links.push({ operator, access_token: tokens.access_token, refresh_token: tokens.refresh_token });
          if (links.length % 50 === 0) options.progress?.(`${links.length} of ${walks} FAPI links made`);
        }
      };
      await Promise.all(Array.from({ length: SEED_WALKS_CONCURRENT }, walker));
    }
    return { url: fixture.url, port: Number(new URL(fixture.url).port), links };
  } finally {
    await fixture.close();
  }
}

/**
 * Fresh access tokens for every link from the bank now at the seed's origin (refresh with the operator's key and
 * DPoP key): access tokens last 10 minutes, a whole run longer.
 */
export async function refreshSeededLinks(links: SeededLink[]): Promise<void> {
  for (const link of links) {
    const tokens = await client.refreshTokenGrant(link.operator.config, link.refresh_token, undefined, { DPoP: link.operator.dpop });
    link.access_token = tokens.access_token;
    if (tokens.refresh_token) link.refresh_token = tokens.refresh_token;
  }
}
