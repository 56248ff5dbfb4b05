import assert from 'node:assert/strict';
import { charge, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { enrolAuthenticatorApp } from '../testing/totp-enrolment.ts';
import { stepUpPurpose } from './step-up-purpose.ts';
import { DEFAULT_RISK_CONFIG } from '../risk/default-risk-config.ts';
import type { RiskConfig } from '../risk/risk-config.ts';

let serial = 0;
let keys = 0;

/** A customer of the fixture bank, their account and link, and helpers to charge and approve. */
export interface WaitingChargeCustomer {
  customer_id: string;
  account_id: string;
  /** The account's PIN-link details; a wrong `pin` over them records a failed attempt. */
  fields: { branch_code: string; account_number: string; pin: string; name_kana: string; birth_date: string };
  phone: string;
  login_id: string;
  password: string;
  link_id: string;
  link_token: string;
}

/**
 * The bank's risk settings for tests of the step-up flow: the shipped config, except that the 2020 pattern on a PIN
 * link (the fixture's link) is challenged instead of held, so that it waits for the customer's step-up, which is what
 * these tests exercise. The shipped config holds it for staff (src/risk/risk-pipeline.test.ts); a hold after a failed
 * PIN still holds here (link-and-drain-2020@2 reaches 100 on its own).
 */
export const STEP_UP_TEST_RISK: { config: RiskConfig } = {
  config: {
    ...DEFAULT_RISK_CONFIG,
    id: 'test-step-up@1',
    typologies: DEFAULT_RISK_CONFIG.typologies.map((typology) => (typology.id === 'unproven-link-drain@1' ? { ...typology, on_block: 'challenge' as const } : typology)),
  },
};

/**
 * The fixture bank for tests of approval mechanics: STEP_UP_TEST_RISK, and typed codes approve a charge on a link made
 * moments ago (the bank's default refuses them for a day, NEW_LINK_CODE_COOLING_OFF_MS). That day is the subject of
 * src/stepup/new-link-code-cooling-off.test.ts, under the bank's own setting.
 */
export const STEP_UP_TEST_BANK = { risk: STEP_UP_TEST_RISK, new_link_code_cooling_off_ms: 0 };

/**
 * Opens a fresh customer (78 years old unless told) with ¥500,000 and links them to the fixture's operator by PIN,
 * so that tests sharing one bank never share history. A ¥100,000 charge on this link right away is the 2020 pattern,
 * challenged by a bank with STEP_UP_TEST_RISK.
 */
export async function linkedElderlyCustomer(fixture: BankFixture, birth_date = '1948-04-01'): Promise<WaitingChargeCustomer> {
  const n = ++serial;
  const { core } = fixture.bank.services;
  const phone = `080-7000-${String(1000 + n)}`;
  const login_id = `elder${n}`;
  const password = 'correct horse battery';
  const person = await core.openCustomer({
    name_kanji: `高齢 ${n}`, name_kana: 'コウレイ ハナ', birth_date, phone, email: `elder${n}@example.jp`, address: '宮城県', login_id, password,
  });
  const account_number = String(3_000_000 + n);
  const account = await core.openAccount({ customer_id: person.id, branch_code: '003', account_number, pin: '2468' });
  await core.deposit(account.id, 500_000, '年金');
  const fields = { branch_code: '003', account_number, pin: '2468', name_kana: 'コウレイ ハナ', birth_date };
  const { response, body } = await legacyLink(fixture, fields);
  assert.equal(response.statusCode, 201, response.body);
  return { customer_id: person.id, account_id: account.id, fields, phone, login_id, password, link_id: body.link.id, link_token: body.link_token };
}

/** Charges the customer's link; a fresh Idempotency-Key unless one is given. */
export function chargeLink(fixture: BankFixture, customer: WaitingChargeCustomer, amount_yen: number, idempotency_key = `waiting-${++keys}`) {
  return charge(fixture, customer.link_token, { amount_yen }, idempotency_key);
}

/** Asks the bank for the step-up SMS code of a charge and reads it off the simulated phone. */
export async function stepUpCode(fixture: BankFixture, customer: WaitingChargeCustomer, charge: { id: string; amount_yen: number }): Promise<string> {
  const sent = await fixture.bank.services.stepUp.sendCode(customer.customer_id, charge.id);
  assert.ok(sent.ok, 'the code was sent');
  const code = fixture.sms.lastCode(customer.phone, stepUpPurpose({ charge_id: charge.id, amount_yen: charge.amount_yen, payee_operator_id: fixture.operator.id }));
  assert.ok(code, 'the code reached the phone');
  return code;
}

/** Posted and pending balances of a ledger account. */
export async function balances(fixture: BankFixture, account_id: string) {
  const [account] = await fixture.bank.services.ledger.lookupAccounts([account_id]);
  assert.ok(account);
  return { posted_yen: account.credits_posted - account.debits_posted, debits_pending_yen: account.debits_pending, credits_pending_yen: account.credits_pending };
}

/** Enrols an authenticator app for the customer; returns a function giving the next fresh code (it moves the clock 30 s). */
export async function enrolAuthenticator(fixture: BankFixture, customer: WaitingChargeCustomer): Promise<() => Promise<string>> {
  const app = await enrolAuthenticatorApp({ secondFactors: fixture.bank.services.secondFactors, clock: fixture.clock, db: fixture.db }, customer.customer_id);
  return app.nextCode;
}

/**
 * Opens the approval page of a charge as its customer does: the login form, the password, then the page (in English).
 * Returns the page, the browser's cookies and the page's form token, for the forms a test posts next.
 */
export async function signedInApprovalPage(fixture: BankFixture, customer: WaitingChargeCustomer, charge: { id: string }) {
  const login = await fixture.bank.app.inject({ method: 'GET', url: `/bank/approvals/${charge.id}` });
  const csrf = /name="csrf" value="([^"]*)"/.exec(login.body)?.[1] ?? '';
  const signed = await fixture.bank.app.inject({
    method: 'POST', url: `/bank/approvals/${charge.id}/login`, cookies: Object.fromEntries(login.cookies.map((c) => [c.name, c.value])),
    payload: { csrf, login_id: customer.login_id, password: customer.password },
  });
  const cookies = Object.fromEntries([...login.cookies, ...signed.cookies].map((c) => [c.name, c.value]));
  const page = await fixture.bank.app.inject({ method: 'GET', url: `/bank/approvals/${charge.id}?lang=en`, cookies });
  return { page, cookies, csrf: /name="csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '' };
}
