import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testBackends, freshPostgresUrl } from '../testing/test-databases.ts';
import { openDatabase } from '../storage/open-database.ts';
import { migrate } from '../storage/migrate.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { ManualClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createStaffDirectory } from '../staff/staff-directory.ts';
import { createAuditLog } from './audit-log.ts';
import { createFileAuditAnchorStore } from './file-audit-anchor-store.ts';

const CLI = new URL('../cli/main.ts', import.meta.url).pathname;

/** Runs `furikae audit verify` as a person would, against the bank database the environment names. */
function auditVerify(env: Record<string, string>, args = ['audit', 'verify']) {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...base, LOG_LEVEL: 'silent', ...env }, encoding: 'utf8', timeout: 300_000 });
}

for (const backend of testBackends) {
  describe(`furikae audit verify on ${backend.name}`, { skip: backend.skip }, () => {
    test('prints OK with the count and the anchor coverage for an anchored chain, and the first broken entry with exit 1 once one is tampered with', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'furikae-audit-'));
      try {
        let env: Record<string, string>;
        let open: () => ReturnType<typeof openDatabase>;
        if (backend.name === 'postgres') {
          const database_url = await freshPostgresUrl();
          env = { DATABASE_URL: database_url };
          open = () => openDatabase({ database_url });
        } else {
          mkdirSync(join(dir, 'bank'));
          env = { FURIKAE_DATA_DIR: dir };
          open = () => openDatabase({ pglite_dir: join(dir, 'bank') });
        }
        const key = 'cli-test-audit-key-0123456789abcdef-012345';
        const anchor_file = join(dir, 'anchors', 'audit-anchors.jsonl');
        env = { ...env, FURIKAE_AUDIT_KEY: key, FURIKAE_AUDIT_ANCHOR_FILE: anchor_file };
        let db = await open();
        await migrate(db, bankMigrationSets);
        const clock = new ManualClock('2026-11-10T01:00:00Z');
        const ids = createIds(clock);
        const admin = await createStaffDirectory({ db, clock, ids }).create({ login_id: 'tanaka', display_name: '田中', password: 'admin-password', role: 'admin' });
        const audit = createAuditLog({ db, clock, ids, key });
        for (let n = 1; n <= 3; n++) await audit.record({ staff_id: admin.id, action: 'operator.switch', subject: `op-${n}`, reason: '不正の疑い' });
        await db.close();

        db = await open();
        await createAuditLog({ db, clock, ids, key, anchors: createFileAuditAnchorStore(anchor_file) }).anchor();
        await db.close();
        const ok = auditVerify(env);
        assert.equal(ok.status, 0, ok.stderr);
        assert.match(ok.stdout, /^audit chain OK: 3 entries, head [0-9a-f]{64}$/m);
        assert.match(ok.stdout, /anchored: 1 anchors in .*, the newest at #3 \(2026-11-10T01:00:00\.000Z\); 0 newer entries are protected by the key only/);

        db = await open();
        await db.exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
          UPDATE audit_log SET reason = 'routine' WHERE seq = 2;
          ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;`);
        await db.close();
        const broken = auditVerify(env);
        assert.equal(broken.status, 1);
        assert.match(broken.stderr, /audit chain BROKEN at entry #2 \([0-9a-f-]{36}\): mac_mismatch/);
        assert.match(broken.stderr, /entries before it verify: 1/);

        const unknown = auditVerify(env, ['audit', 'check']);
        assert.equal(unknown.status, 1);
        assert.match(unknown.stderr, /unknown subcommand "check"/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
