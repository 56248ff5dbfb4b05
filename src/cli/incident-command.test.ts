import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testBackends } from '../testing/test-databases.ts';
import { reopenableDatabase } from '../testing/reopenable-database.ts';
import { createIncidentFixture } from '../testing/incident-fixture.ts';
import { FIXTURE_AUDIT_KEY } from '../testing/bank-fixture.ts';
import { insertLinkedCustomers } from '../testing/linked-customers.ts';
import { progressBar } from './incident-campaign-command.ts';

const CLI = new URL('./main.ts', import.meta.url).pathname;

test('the progress bar shows the share settled, whole or empty at the ends', () => {
  assert.equal(progressBar(0, 1000, 10), '[░░░░░░░░░░] 0.0% 0/1,000');
  assert.equal(progressBar(600, 1000, 10), '[██████░░░░] 60.0% 600/1,000');
  assert.equal(progressBar(1000, 1000, 10), '[██████████] 100.0% 1,000/1,000');
  assert.equal(progressBar(0, 0, 4), '[████] 100.0% 0/0');
});

for (const backend of testBackends) {
  describe(`furikae incident on ${backend.name}`, { skip: backend.skip }, () => {
    test('staff open an incident, move it, start a campaign and write the report from the command line; refusals print their code and exit 1', async () => {
      const database = await reopenableDatabase(backend);
      const out = mkdtempSync(join(tmpdir(), 'furikae-report-'));
      try {
        const fixture = await createIncidentFixture(database.backend);
        await insertLinkedCustomers(fixture.db, { count: 20, operator_id: fixture.operator.id, prefix: 'cli', now: fixture.clock.now() });
        const admin = { login: 'kanri', password: 'cli-admin-password-2026' };
        await fixture.bank.services.staff.create({ login_id: admin.login, display_name: '管理 田中', password: admin.password, role: 'admin' });
        await fixture.bank.services.staff.create({ login_id: 'etsuran', display_name: '閲覧 鈴木', password: 'viewer-password-2026', role: 'viewer' });
        const operator_client_id = fixture.operator.client_id;
        await fixture.close();

        const { env } = database;
        const furikae = (args: string[], password = admin.password) => {
          const base = { ...process.env };
          delete base.DATABASE_URL;
          // The fixture wrote the audit chain under its own key: the command line appends to it under the same key.
          return spawnSync(process.execPath, ['--import', 'tsx', CLI, 'incident', ...args],
            { env: { ...base, LOG_LEVEL: 'silent', FURIKAE_AUDIT_KEY: FIXTURE_AUDIT_KEY, ...env }, input: `${password}\n`, encoding: 'utf8', timeout: 180_000 });
        };

        const opened = furikae(['open', '--title', 'ドコモ口座 2026-11', '--from', '2026-10-01', '--to', '2026-11-09', '--operator', operator_client_id, '--staff', admin.login]);
        assert.equal(opened.status, 0, opened.stderr);
        const incident_id = /incident ([0-9a-f-]{36}) opened/.exec(opened.stdout)?.[1];
        assert.ok(incident_id, opened.stdout);

        const wrongPassword = furikae(['open', '--title', 'x', '--from', '2026-10-01', '--to', '2026-11-09', '--staff', admin.login], 'not-it');
        assert.equal(wrongPassword.status, 1);
        assert.match(wrongPassword.stderr, /staff_login_failed/);
        const backwards = furikae(['open', '--title', 'x', '--from', '2026-11-09', '--to', '2026-10-01', '--staff', admin.login]);
        assert.equal(backwards.status, 1);
        assert.match(backwards.stderr, /incident_period_invalid/);
        assert.match(backwards.stderr, /"status":422/);
        const unknownOperator = furikae(['open', '--title', 'x', '--from', '2026-10-01', '--to', '2026-11-09', '--operator', 'op_nobody', '--staff', admin.login]);
        assert.match(unknownOperator.stderr, /operator_not_found/);
        const viewer = furikae(['status', incident_id, 'contained', '--staff', 'etsuran'], 'viewer-password-2026');
        assert.equal(viewer.status, 1);
        assert.match(viewer.stderr, /staff_role_insufficient/);

        const contained = furikae(['status', incident_id, 'contained', '--reason', '新規連携を停止', '--staff', admin.login]);
        assert.equal(contained.status, 0, contained.stderr);
        assert.match(contained.stdout, /is contained/);
        const skipped = furikae(['status', incident_id, 'closed', '--staff', admin.login]);
        assert.match(skipped.stderr, /incident_status_invalid/);

        const started = furikae(['campaign', 'start', incident_id, '--segment', `operator:${operator_client_id}`, '--message-ja', '通帳をご確認ください。', '--staff', admin.login]);
        assert.equal(started.status, 0, started.stderr);
        assert.match(started.stdout, /: 20 notices written to the outbox in/);
        const campaign_id = /campaign ([0-9a-f-]{36}) started/.exec(started.stdout)![1]!;
        const status = furikae(['campaign', 'status', campaign_id]);
        assert.match(status.stdout, /running .*\[░+\] 0\.0% 0\/20 .*waiting 20/);
        const link = furikae(['campaign', 'start', incident_id, '--segment', 'legacy_pin', '--message-en', 'see https://example.com', '--staff', admin.login]);
        assert.match(link.stderr, /campaign_message_invalid/);
        const paused = furikae(['campaign', 'pause', campaign_id, '--reason', 'コールセンター準備', '--staff', admin.login]);
        assert.match(paused.stdout, /is paused/);

        const file = join(out, 'report.html');
        const report = furikae(['report', incident_id, '--format', 'html', '--out', file, '--staff', admin.login]);
        assert.equal(report.status, 0, report.stderr);
        assert.equal((readFileSync(file, 'utf8').match(/<svg /g) ?? []).length, 2);
        const csv = furikae(['report', incident_id, '--format', 'csv', '--staff', admin.login]);
        assert.match(csv.stdout, /^\uFEFF# incident\r\n/);
        const missing = furikae(['report', '00000000-0000-7000-8000-00000000abcd', '--format', 'json', '--staff', admin.login]);
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /incident_not_found/);

        const shown = furikae(['show', incident_id]);
        assert.equal(shown.status, 0, shown.stderr);
        assert.match(shown.stdout, /status contained/);
        assert.match(shown.stdout, /paused .*0\/20/);
        assert.match(shown.stdout, /状態変更 Status: 対応中 open → 封じ込め contained — 管理 田中 “新規連携を停止”/);
        assert.match(furikae(['list']).stdout, new RegExp(`${incident_id}  contained`));
        assert.equal(furikae(['bogus']).status, 1);
      } finally {
        rmSync(out, { recursive: true, force: true });
        database.remove();
      }
    });
  });
}
