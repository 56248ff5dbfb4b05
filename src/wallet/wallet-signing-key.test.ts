import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyKycAttestation, signKycAttestation } from '../kyc/kyc-attestation.ts';
import { ManualClock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import { migrate } from '../storage/migrate.ts';
import { ledgerMigrations } from '../ledger/ledger-migrations.ts';
import { openSameDatabase, raceTest, testBackends } from '../testing/test-databases.ts';
import { walletMigrations } from './wallet-migrations.ts';
import { loadWalletSigningKey } from './wallet-signing-key.ts';

for (const backend of testBackends) {
  describe(`the hardened wallet's signing key on ${backend.name}`, { skip: backend.skip }, () => {
    let db: Database;
    const clock = new ManualClock('2026-11-21T03:00:00Z');

    before(async () => {
      db = await backend.open('wallet');
      await migrate(db, [ledgerMigrations, walletMigrations]);
    });
    after(() => db?.close());

    test('the first start makes a key and stores it; later starts load the same key', async () => {
      const first = await loadWalletSigningKey(db, clock);
      const later = await loadWalletSigningKey(db, clock);
      assert.equal(later.kid, first.kid);
      assert.deepEqual(later.public_jwks, first.public_jwks);
      const [stored] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM wallet_signing_keys`);
      assert.equal(stored?.n, 1);
    });

    // PostgreSQL only: PGlite runs one transaction at a time, so two first starts cannot overlap there.
    raceTest(backend, 'two processes starting for the first time at once agree on one key', async () => {
      const fresh = await backend.open('wallet');
      await migrate(fresh, [ledgerMigrations, walletMigrations]);
      const other = await openSameDatabase(fresh);
      try {
        const [first, racing] = await Promise.all([loadWalletSigningKey(fresh, clock), loadWalletSigningKey(other, clock)]);
        assert.equal(racing.kid, first.kid);
        assert.deepEqual(racing.public_jwks, first.public_jwks);
        const [stored] = await fresh.query<{ n: number }>(`SELECT count(*)::int AS n FROM wallet_signing_keys`);
        assert.equal(stored?.n, 1);
      } finally {
        await other.close();
        await fresh.close();
      }
    });

    test('the public JWKS carries no private part and names the key and its algorithm', async () => {
      const { public_jwks, kid } = await loadWalletSigningKey(db, clock);
      assert.equal(public_jwks.keys.length, 1);
      const [jwk] = public_jwks.keys;
      assert.equal(jwk?.d, undefined);
      assert.deepEqual([jwk?.kid, jwk?.alg, jwk?.use, jwk?.kty], [kid, 'ES256', 'sig', 'EC']);
    });

    test('a KYC attestation signed with the stored key verifies against the public JWKS the bank registers', async () => {
      const key = await loadWalletSigningKey(db, clock);
      const iat = Math.floor(clock.now().getTime() / 1000);
      const jws = await signKycAttestation(
        {
          iss: 'wallet', aud: 'https://bank.example/oidc', sub: 'user-1', iat, exp: iat + 300, jti: 'j1',
          kyc: { level: 'ekyc_document_face', method: 'ekyc_document_face:simulator', verified_at: iat - 10, name_kana: 'ヤマダ ハナコ', birth_date: '1948-03-15', phone: '+819011112222' },
        },
        key.privateKey, key.alg, { kid: key.kid },
      );
      const verified = await verifyKycAttestation(jws, {
        jwks: key.public_jwks as never, client_id: 'wallet', audience: 'https://bank.example/oidc', now: clock.now(), level_min: 'ekyc_document_face',
      });
      assert.equal(verified.ok, true);
    });
  });
}
