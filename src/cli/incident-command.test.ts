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
import { enrolledStaff } from '../testing/staff-session.ts';
import { generate } from 'otplib';
import { TOTP_STEP_MS } from '../testing/totp-enrolment.ts';
import { Readable, Writable } from 'node:stream';
import { progressBar } from './incident-campaign-command.ts';
import { runIncidentCommand } from './incident-command.ts';
import { loadConfig } from '../config.ts';

const CLI = new URL('./main.ts', import.meta.url).pathname;
/** Standard output or error collected as text. */
class CollectedText extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Admins the walk below logs in as, one per login. */
const ADMIN_LOGINS = 17;

/** Who a command runs as: an enrolled staff member, and a code to type instead of the authenticator's current one. */
type CliLogin = { login_id: string; password: string; secret: string; code?: string };

/** The authenticator app's code now, on real time, as the command line's clock sees it. */
function totpCodeNow(secret: string): Promise<string> {
  return generate({ secret, period: TOTP_STEP_MS / 1000, epoch: Math.floor(Date.now() / 1000) });
}

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
        // An authenticator code is accepted once per 30-second step, and the command line runs on real time: each
        // login below is a different admin (all 管理 田中), so no run waits for the next step. The replay test reuses one.
        const admins: CliLogin[] = [];
        for (let i = 1; i <= ADMIN_LOGINS; i++) {
          admins.push(await enrolledStaff(fixture, { login_id: `kanri-${i}`, display_name: '管理 田中', password: 'cli-admin-password-2026', role: 'admin' }));
        }
        const viewerStaff = await enrolledStaff(fixture, { login_id: 'etsuran', display_name: '閲覧 鈴木', password: 'viewer-password-2026', role: 'viewer' });
        const admin = () => admins.shift()!;
        const operator_client_id = fixture.operator.client_id;
        await fixture.close();

        // The fixture wrote the audit chain under its own key: the command line appends to it under the same key.
        const env = { ...database.env, LOG_LEVEL: 'silent', FURIKAE_AUDIT_KEY: FIXTURE_AUDIT_KEY };
        const argsAs = (args: string[], who?: CliLogin) => [...args, ...(who ? ['--staff', who.login_id] : [])];
        const typed = async (who?: CliLogin) => (who ? `${who.password}\n${who.code ?? await totpCodeNow(who.secret)}\n` : '');
        /** Runs `furikae incident ARGS` as the installed command does, in its own process. */
        const furikaeProcess = async (args: string[], who?: CliLogin) => {
          const base = { ...process.env };
          delete base.DATABASE_URL;
          return spawnSync(process.execPath, ['--import', 'tsx', CLI, 'incident', ...argsAs(args, who)],
            { env: { ...base, ...env }, input: await typed(who), encoding: 'utf8', timeout: 180_000 });
        };
        /**
         * Runs `furikae incident ARGS` in this process, through the same entry point with its standard streams given,
         * as `who` (--staff, then password and code on standard input) when given: a process per run took minutes.
         */
        const furikae = async (args: string[], who?: CliLogin) => {
          const stdout = new CollectedText();
          const stderr = new CollectedText();
          const stdin = Readable.from([await typed(who)]) as unknown as NodeJS.ReadStream;
          const status = await runIncidentCommand(argsAs(args, who), () => loadConfig(env),
            { stdin, stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream });
          return { status, stdout: stdout.text, stderr: stderr.text };
        };

        const opened = await furikaeProcess(['open', '--title', 'ドコモ口座 2026-11', '--from', '2026-10-01', '--to', '2026-11-09', '--operator', operator_client_id], admin());
        assert.equal(opened.status, 0, opened.stderr);
        const incident_id = /incident ([0-9a-f-]{36}) opened/.exec(opened.stdout)?.[1];
        assert.ok(incident_id, opened.stdout);

        const wrongPassword = await furikae(['open', '--title', 'x', '--from', '2026-10-01', '--to', '2026-11-09'], { ...admin(), password: 'not-it' });
        assert.equal(wrongPassword.status, 1);
        assert.match(wrongPassword.stderr, /staff_login_failed/);
        const wrongCode = await furikae(['open', '--title', 'x', '--from', '2026-10-01', '--to', '2026-11-09'], { ...admin(), code: '000000' });
        assert.equal(wrongCode.status, 1);
        assert.match(wrongCode.stderr, /staff_login_failed/);
        const once = admin();
        const code = await totpCodeNow(once.secret);
        assert.equal((await furikae(['open', '--title', 'first', '--from', '2026-10-01', '--to', '2026-11-09'], { ...once, code })).status, 0);
        const replayed = await furikae(['open', '--title', 'replayed', '--from', '2026-10-01', '--to', '2026-11-09'], { ...once, code });
        assert.equal(replayed.status, 1, 'an authenticator code already used is refused');
        assert.match(replayed.stderr, /staff_login_failed/);
        const noCode = await furikae(['open', '--title', 'x', '--from', '2026-10-01', '--to', '2026-11-09'], { ...admin(), code: '' });
        assert.match(noCode.stderr, /staff_login_failed/);
        const backwards = await furikae(['open', '--title', 'x', '--from', '2026-11-09', '--to', '2026-10-01'], admin());
        assert.equal(backwards.status, 1);
        assert.match(backwards.stderr, /incident_period_invalid/);
        assert.match(backwards.stderr, /"status":422/);
        const unknownOperator = await furikae(['open', '--title', 'x', '--from', '2026-10-01', '--to', '2026-11-09', '--operator', 'op_nobody'], admin());
        assert.match(unknownOperator.stderr, /operator_not_found/);
        const viewer = await furikae(['status', incident_id, 'contained'], viewerStaff);
        assert.equal(viewer.status, 1);
        assert.match(viewer.stderr, /staff_role_insufficient/);

        const contained = await furikae(['status', incident_id, 'contained', '--reason', '新規連携を停止'], admin());
        assert.equal(contained.status, 0, contained.stderr);
        assert.match(contained.stdout, /is contained/);
        const skipped = await furikae(['status', incident_id, 'closed'], admin());
        assert.match(skipped.stderr, /incident_status_invalid/);

        const started = await furikae(['campaign', 'start', incident_id, '--segment', `operator:${operator_client_id}`, '--message-ja', '通帳をご確認ください。'], admin());
        assert.equal(started.status, 0, started.stderr);
        assert.match(started.stdout, /: 20 notices written to the outbox in/);
        const campaign_id = /campaign ([0-9a-f-]{36}) started/.exec(started.stdout)![1]!;
        const status = await furikae(['campaign', 'status', campaign_id]);
        assert.match(status.stdout, /running .*\[░+\] 0\.0% 0\/20 .*waiting 20/);
        const link = await furikae(['campaign', 'start', incident_id, '--segment', 'legacy_pin', '--message-en', 'see https://example.com'], admin());
        assert.match(link.stderr, /campaign_message_invalid/);
        const paused = await furikae(['campaign', 'pause', campaign_id, '--reason', 'コールセンター準備'], admin());
        assert.match(paused.stdout, /is paused/);

        const file = join(out, 'report.html');
        const report = await furikae(['report', incident_id, '--format', 'html', '--out', file], admin());
        assert.equal(report.status, 0, report.stderr);
        assert.equal((readFileSync(file, 'utf8').match(/<svg /g) ?? []).length, 2);
        const csv = await furikae(['report', incident_id, '--format', 'csv'], admin());
        assert.match(csv.stdout, /^\uFEFF# incident\r\n/);
        const missing = await furikae(['report', '00000000-0000-7000-8000-00000000abcd', '--format', 'json'], admin());
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /incident_not_found/);

        const shown = await furikae(['show', incident_id]);
        assert.equal(shown.status, 0, shown.stderr);
        assert.match(shown.stdout, /status contained/);
        assert.match(shown.stdout, /paused .*0\/20/);
        assert.match(shown.stdout, /状態変更 Status: 対応中 open → 封じ込め contained — 管理 田中 “新規連携を停止”/);
        assert.match((await furikae(['list'])).stdout, new RegExp(`${incident_id}  contained`));
        assert.equal((await furikae(['bogus'])).status, 1);
        const refusedProcess = await furikaeProcess(['report', incident_id, '--format', 'json'], { ...admin(), password: 'not-it' });
        assert.equal(refusedProcess.status, 1);
        assert.match(refusedProcess.stderr, /staff_login_failed/);
      } finally {
        rmSync(out, { recursive: true, force: true });
        database.remove();
      }
    });
  });
}
