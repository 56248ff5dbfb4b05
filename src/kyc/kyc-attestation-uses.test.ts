import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { raceTest, testBackends, freshPostgresUrl } from '../testing/test-databases.ts';
import { openDatabase } from '../storage/open-database.ts';
import { migrate } from '../storage/migrate.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { kycAttestationValidUntil, useKycAttestation } from './kyc-attestation-uses.ts';
import { KYC_ATTESTATION_CLOCK_SKEW_SECONDS_MAX, KYC_ATTESTATION_LIFETIME_SECONDS_MAX, type KycAttestationClaims } from './kyc-attestation.ts';

const NOW = new Date('2026-11-21T00:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;

function claims(overrides: Partial<KycAttestationClaims> = {}): KycAttestationClaims {
  return {
    iss: 'wallet-hardened', aud: 'https://bank.example/oidc', sub: 'user-1', iat: NOW_SECONDS, exp: NOW_SECONDS + 300, jti: 'jti-0001',
    kyc: { level: 'ekyc_document_face', method: 'ekyc_document_face:simulator', verified_at: NOW_SECONDS - 60, name_kana: 'ヤマダ ハナコ', birth_date: '1948-03-15', phone: '090-1111-2222' },
    ...overrides,
  };
}

test('a use is remembered until the attestation could no longer verify: the later of exp and iat plus the cap, plus the skew', () => {
  assert.equal(kycAttestationValidUntil(claims()).getTime() / 1000, NOW_SECONDS + KYC_ATTESTATION_LIFETIME_SECONDS_MAX + KYC_ATTESTATION_CLOCK_SKEW_SECONDS_MAX);
  assert.equal(kycAttestationValidUntil(claims({ exp: NOW_SECONDS + 900 })).getTime() / 1000, NOW_SECONDS + 900 + KYC_ATTESTATION_CLOCK_SKEW_SECONDS_MAX);
});

for (const backend of testBackends) {
  describe(`KYC attestation uses on ${backend.name}`, { skip: backend.skip }, () => {
    test('the first use of an attestation passes and every later one is a replay, until it could no longer verify', async () => {
      const db = await backend.open();
      try {
        await migrate(db, bankMigrationSets);
        assert.equal(await useKycAttestation(db, claims(), NOW), 'first_use');
        assert.equal(await useKycAttestation(db, claims(), NOW), 'replayed');
        assert.equal(await useKycAttestation(db, claims({ sub: 'another-user', iat: NOW_SECONDS + 10 }), new Date(NOW.getTime() + 10_000)), 'replayed', 'the jti decides, not the rest');
        assert.equal(await useKycAttestation(db, claims({ iss: 'another-operator' }), NOW), 'first_use', 'jti values are per issuer');
        assert.equal(await useKycAttestation(db, claims({ jti: 'jti-0002' }), NOW), 'first_use');
        const last = kycAttestationValidUntil(claims());
        assert.equal(await useKycAttestation(db, claims(), last), 'replayed', 'still remembered at the last moment it could verify');
        assert.equal(await useKycAttestation(db, claims(), new Date(last.getTime() + 1)), 'first_use', 'forgotten once it can no longer verify (the signature check refuses it then)');
        const [{ count }] = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM kyc_attestation_uses`) as [{ count: number }];
        assert.equal(count, 1, 'expired uses are cleared as new ones come');
      } finally {
        await db.close();
      }
    });

    // PostgreSQL only: PGlite runs one transaction at a time, so the twenty consents would take turns and a
    // check-then-insert that lets two through could not be caught there.
    raceTest(backend, 'of many consents presenting one attestation at once, exactly one is its first use', async () => {
      const db = await backend.open();
      try {
        await migrate(db, bankMigrationSets);
        // Every consent's transaction is open before any of them looks (a barrier), so they really overlap instead of
        // finishing one by one while the pool opens its connections; fewer consents than the pool has connections.
        const consents = 8;
        let opened = 0;
        let allOpen!: () => void;
        const barrier = new Promise<void>((resolve) => (allOpen = resolve));
        const outcomes = await Promise.all(Array.from({ length: consents }, () => db.transaction(async (tx) => {
          await tx.query('SELECT 1');
          if (++opened === consents) allOpen();
          await barrier;
          return useKycAttestation(tx, claims({ jti: 'raced' }), NOW);
        })));
        assert.deepEqual(outcomes.filter((outcome) => outcome === 'first_use').length, 1);
        assert.equal(outcomes.filter((outcome) => outcome === 'replayed').length, consents - 1);
      } finally {
        await db.close();
      }
    });
  });
}

// Two connection pools to one PostgreSQL database stand for two bank processes; PGlite is one process by nature.
describe('KYC attestation uses across processes on postgres', { skip: testBackends[1]!.skip }, () => {
  test('an attestation used by one bank process is a replay at another', async () => {
    const database_url = await freshPostgresUrl();
    const first = await openDatabase({ database_url });
    const second = await openDatabase({ database_url });
    try {
      await migrate(first, bankMigrationSets);
      assert.equal(await useKycAttestation(first, claims(), NOW), 'first_use');
      assert.equal(await useKycAttestation(second, claims(), NOW), 'replayed');
    } finally {
      await first.close();
      await second.close();
    }
  });
});
