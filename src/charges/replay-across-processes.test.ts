import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { exportJWK, SignJWT } from 'jose';
import { databaseUrlOf, testBackends } from '../testing/test-databases.ts';
import { createBankFixture, FIXTURE_AUDIT_KEY, FIXTURE_CREDENTIAL_KEY, FIXTURE_NOT_ME_KEY, type BankFixture } from '../testing/bank-fixture.ts';
import { createFapiOperator, type FapiOperator } from '../testing/fapi-operator.ts';
import { enrolTotp, walkConsent } from '../testing/consent-walk.ts';
import { freePort } from '../testing/free-port.ts';
import { PRODUCTION_ENV } from '../testing/production-env.ts';
import { startServeProcess, type ServeProcess } from '../testing/serve-process.ts';

const HANAKO = { name_kana: 'ﾔﾏﾀﾞ ﾊﾅｺ', birth_date: '1948-03-15', phone: '+81 90 1111 2222' };
/** Times each race is run: one overlap could happen to miss; several at once make a lucky pass unlikely. */
const RACE_ROUNDS = 5;
/** A charge small enough that the risk rules let a new link's repeated charges through. */
const AMOUNT_YEN = 1_000;

// PostgreSQL only: two bank processes on one database exist only on a server (PGlite is one in-process connection).
const postgres = testBackends.find((backend) => backend.name === 'postgres')!;
describe('DPoP replay and Idempotency-Keys across two real bank processes on one PostgreSQL database', { skip: postgres.skip }, () => {
  let fixture: BankFixture;
  let operator: FapiOperator;
  let access_token: string;
  const banks: { process: ServeProcess; url: string }[] = [];

  before(async () => {
    // The fixture's in-process bank is where the customer consents; the two `furikae serve` processes answer the charges.
    fixture = await createBankFixture(postgres, { listen: true });
    const totp = await enrolTotp(fixture);
    operator = await createFapiOperator({ bank_url: fixture.url, operators: fixture.bank.services.operators, now: () => fixture.clock.now() });
    const { url, code_verifier } = await operator.startLink(await operator.attest(HANAKO));
    const walked = await walkConsent(fixture, url, { totp_secret: totp });
    assert.ok(walked.callback, `the bank sent the browser back: ${walked.page.slice(0, 300)}`);
    access_token = (await operator.exchange(walked.callback, code_verifier)).access_token;
    for (let index = 0; index < 2; index++) {
      const port = await freePort();
      // The same public origin as the fixture's, so the proofs' htu and the tokens' issuer hold at either process.
      const process = startServeProcess(['serve', '--port', String(port)], {
        ...PRODUCTION_ENV, FURIKAE_PUBLIC_URL: fixture.url, FURIKAE_CREDENTIAL_KEY: FIXTURE_CREDENTIAL_KEY, FURIKAE_NOT_ME_KEY: FIXTURE_NOT_ME_KEY,
        FURIKAE_AUDIT_KEY: FIXTURE_AUDIT_KEY, DATABASE_URL: databaseUrlOf(fixture.db), HOST: '127.0.0.1', METRICS_PORT: String(await freePort()), LOG_LEVEL: 'warn',
        SMS_GATEWAY_URL: 'http://127.0.0.1:9/v1/messages',
      });
      banks.push({ process, url: `http://127.0.0.1:${port}` });
    }
    await Promise.all(banks.map(({ process }) => process.waitForLine((line) => line.startsWith('furikae bank listening'))));
  });
  after(async () => {
    await Promise.all(banks.map(({ process }) => process.stop()));
    await fixture?.close();
  });

  /** A DPoP proof for POST /v1/charges at the bank's public origin, bound to the token, with a fresh jti. */
  async function proof(): Promise<string> {
    const { privateKey, publicKey } = operator.dpopKeys;
    const ath = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(access_token))).toString('base64url');
    return new SignJWT({ htm: 'POST', htu: `${fixture.url}/v1/charges`, jti: randomUUID(), ath })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: (await exportJWK(publicKey)) as never })
      .setIssuedAt()
      .sign(privateKey);
  }

  /** POSTs a charge to one bank process with the given proof and key. */
  async function chargeAt(bank_url: string, dpop: string, idempotency_key: string) {
    const response = await fetch(`${bank_url}/v1/charges`, {
      method: 'POST', body: JSON.stringify({ amount_yen: AMOUNT_YEN }),
      headers: { authorization: `DPoP ${access_token}`, dpop, 'content-type': 'application/json', 'idempotency-key': idempotency_key },
    });
    return { status: response.status, type: response.headers.get('content-type'), body: await response.json() as { id?: string; code?: string; status?: string } };
  }

  const balance = () => fixture.bank.services.core.balance(fixture.customer.account_id);
  const chargesWithKeys = async (keys: string[]) =>
    (await fixture.db.query<{ id: string }>(`SELECT id FROM charges WHERE idempotency_key = ANY($1::text[])`, [keys])).map((row) => row.id);

  test('both processes charge with the token alone (a fresh proof each): the processes share the database and the keys', async () => {
    for (const { url } of banks) {
      const answer = await chargeAt(url, await proof(), randomUUID());
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
    }
  });

  test('one DPoP proof sent to both processes at once is accepted by exactly one; the other answers dpop_proof_replayed and moves nothing', async () => {
    for (let round = 0; round < RACE_ROUNDS; round++) {
      const before = await balance();
      const shared = await proof();
      const keys = [randomUUID(), randomUUID()];
      const answers = await Promise.all(banks.map(({ url }, index) => chargeAt(url, shared, keys[index]!)));
      assert.deepEqual(answers.map((answer) => answer.status).sort(), [201, 401], JSON.stringify(answers));
      const refused = answers.find((answer) => answer.status === 401)!;
      assert.equal(refused.body.code, 'dpop_proof_replayed');
      assert.equal(refused.type, 'application/problem+json; charset=utf-8');
      assert.equal((await chargesWithKeys(keys)).length, 1, 'one charge');
      assert.equal(await balance(), before - AMOUNT_YEN, 'the money moved once');
    }
  });

  test('one Idempotency-Key sent to both processes at once (each with its own proof) moves the money once, and both answers name that charge', async () => {
    for (let round = 0; round < RACE_ROUNDS; round++) {
      const before = await balance();
      const key = randomUUID();
      const proofs = [await proof(), await proof()];
      const answers = await Promise.all(banks.map(({ url }, index) => chargeAt(url, proofs[index]!, key)));
      assert.deepEqual(answers.map((answer) => answer.status), [201, 201], JSON.stringify(answers));
      const stored = await chargesWithKeys([key]);
      assert.equal(stored.length, 1, 'one charge');
      assert.deepEqual(answers.map((answer) => answer.body.id), [stored[0], stored[0]], 'both answers name the one charge');
      assert.equal(await balance(), before - AMOUNT_YEN, 'the money moved once');
    }
  });
});
