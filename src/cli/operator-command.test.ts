import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { generate } from 'otplib';
import { testBackends } from '../testing/test-databases.ts';
import { reopenableDatabase } from '../testing/reopenable-database.ts';
import { createBankFixture, FIXTURE_AUDIT_KEY } from '../testing/bank-fixture.ts';
import { enrolledStaff } from '../testing/staff-session.ts';
import { TOTP_STEP_MS } from '../testing/totp-enrolment.ts';
import { loadConfig } from '../config.ts';
import { runOperatorCommand } from './operator-command.ts';

/** Standard output or error collected as text. */
class CollectedText extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

type CliLogin = { login_id: string; password: string; secret: string };

for (const backend of testBackends) {
  describe(`furikae operator on ${backend.name}`, { skip: backend.skip }, () => {
    test('an admin releases a containment and binds source addresses from the command line, audited; a viewer, a missing reason or bad addresses are refused and change nothing', async () => {
      const database = await reopenableDatabase(backend);
      try {
        const fixture = await createBankFixture(database.backend);
        const operator_id = fixture.operator.id;
        // An authenticator code is accepted once per 30-second step: each login below is a different admin.
        const admins: CliLogin[] = [];
        for (let i = 1; i <= 4; i++) admins.push(await enrolledStaff(fixture, { login_id: `kanri-${i}`, display_name: '管理 田中', password: 'cli-admin-password-2026', role: 'admin' }));
        const viewer = await enrolledStaff(fixture, { login_id: 'etsuran', display_name: '閲覧 鈴木', password: 'viewer-password-2026', role: 'viewer' });
        const { containments, operators } = fixture.bank.services;
        const operator = (await operators.get(operator_id))!;
        await fixture.db.transaction((tx) => containments.contain(tx, operator, { level: 7.5, measure: 'charge_10m', count: 75, baseline: 10, established: true }, fixture.clock.now()));
        await fixture.close();

        const env = { ...database.env, LOG_LEVEL: 'silent', FURIKAE_AUDIT_KEY: FIXTURE_AUDIT_KEY };
        const furikae = async (args: string[], who?: CliLogin) => {
          const stdout = new CollectedText();
          const stderr = new CollectedText();
          const typed = who ? `${who.password}\n${await generate({ secret: who.secret, period: TOTP_STEP_MS / 1000, epoch: Math.floor(Date.now() / 1000) })}\n` : '';
          const stdin = Readable.from([typed]) as unknown as NodeJS.ReadStream;
          const status = await runOperatorCommand([...args, ...(who ? ['--staff', who.login_id] : [])], () => loadConfig(env),
            { stdin, stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream });
          return { status, stdout: stdout.text, stderr: stderr.text };
        };

        const listed = await furikae(['list']);
        assert.equal(listed.status, 0, listed.stderr);
        assert.match(listed.stdout, /CONTAINED since .* \(charge_10m level 7\.5\)/);

        const byViewer = await furikae(['release', operator_id, '--reason', '確認済み'], viewer);
        assert.equal(byViewer.status, 1);
        assert.match(byViewer.stderr, /staff_role_insufficient/);
        const noReason = await furikae(['release', operator_id], admins[0]);
        assert.equal(noReason.status, 1);
        assert.match(noReason.stderr, /staff_reason_invalid/);
        const badSources = await furikae(['sources', operator_id, '10.0.0.0/8', '--reason', 'registration'], admins[0]);
        assert.equal(badSources.status, 1);
        assert.match(badSources.stderr, /validation_failed: "10\.0\.0\.0\/8" is wider than \/16/);
        assert.match((await furikae(['list'])).stdout, /CONTAINED/, 'still contained');

        const released = await furikae(['release', fixture.operator.client_id, '--reason', '事業者に確認済み'], admins[1]);
        assert.equal(released.status, 0, released.stderr);
        assert.match((await furikae(['list'])).stdout, /not contained\tsources any/);
        const again = await furikae(['release', operator_id, '--reason', 'again'], admins[2]);
        assert.match(again.stderr, /staff_target_not_open/);
        const bound = await furikae(['sources', operator_id, '198.51.100.0/24', '--reason', 'registration form'], admins[3]);
        assert.equal(bound.status, 0, bound.stderr);
        assert.match((await furikae(['list'])).stdout, /sources 198\.51\.100\.0\/24/);

        const db = await database.open();
        try {
          const entries = await db.query<{ action: string; reason: string | null; login_id: string | null }>(
            `SELECT a.action, a.reason, s.login_id FROM audit_log a LEFT JOIN staff_users s ON s.id = a.staff_id
              WHERE a.action LIKE 'operator.%' ORDER BY a.seq`);
          assert.deepEqual(entries, [
            { action: 'operator.contained', reason: null, login_id: null },
            { action: 'operator.containment_released', reason: '事業者に確認済み', login_id: 'kanri-2' },
            { action: 'operator.source_addresses', reason: 'registration form', login_id: 'kanri-4' },
          ]);
        } finally {
          await db.close();
        }
      } finally {
        database.remove();
      }
    });
  });
}
