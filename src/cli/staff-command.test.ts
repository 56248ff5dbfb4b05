import { after, before, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'otplib';
import { loadConfig, type Config } from '../config.ts';
import { createStaffDirectory } from '../staff/staff-directory.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import { systemClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { openStores } from './open-stores.ts';
import { runStaffCommand } from './staff-command.ts';

/** Runs `furikae staff …` and returns its exit code and everything it printed. */
async function run(config: Config, args: string[], options: { name?: string; role?: string } = {}) {
  const out: string[] = [];
  const log = mock.method(console, 'log', (...parts: unknown[]) => void out.push(parts.join(' ')));
  const error = mock.method(console, 'error', (...parts: unknown[]) => void out.push(parts.join(' ')));
  try {
    return { code: await runStaffCommand(config, args, options), output: out.join('\n') };
  } finally {
    log.mock.restore();
    error.mock.restore();
  }
}

/** The code an authenticator app holding `secret` shows now. */
const codeNow = (secret: string) => generate({ secret, period: 30, epoch: Math.floor(Date.now() / 1000) });

describe('furikae staff provisions console staff out of band', () => {
  let data_dir: string;
  let config: Config;
  /** Runs `check` over the bank database the command wrote, closing it afterwards. */
  async function withDb<T>(check: (db: Database) => Promise<T>): Promise<T> {
    const { bankDb } = await openStores(config, { wallet: false });
    try {
      return await check(bankDb);
    } finally {
      await bankDb.close();
    }
  }

  before(() => {
    data_dir = mkdtempSync(join(tmpdir(), 'furikae-staff-cli-'));
    config = loadConfig({ FURIKAE_DATA_DIR: data_dir, LOG_LEVEL: 'silent' });
  });
  after(() => rmSync(data_dir, { recursive: true, force: true }));

  test('add prints a generated password and an authenticator secret once; together they log in, and the creation is audited', async () => {
    const { code, output } = await run(config, ['add', 'nakamura'], { name: '中村 監視', role: 'admin' });
    assert.equal(code, 0, output);
    const password = /password\s+(\S+)/.exec(output)?.[1];
    const secret = /authenticator secret\s+(\S+)/.exec(output)?.[1];
    assert.ok(password && secret);
    assert.match(output, /otpauth:\/\/totp\/Furikae%20Bank:nakamura(@|%40)console\?secret=[A-Z2-7]+/);
    await withDb(async (db) => {
      const staff = createStaffDirectory({ db, clock: systemClock, ids: createIds(systemClock) });
      const checked = await staff.checkLogin('nakamura', password, await codeNow(secret));
      assert.equal(checked.outcome, 'ok');
      assert.equal(checked.outcome === 'ok' && checked.staff.role, 'admin');
      const [entry] = await createAuditLog({ db, clock: systemClock, ids: createIds(systemClock), key: config.audit_key }).list({ action: 'staff.created' });
      assert.equal(entry?.details.via, 'furikae staff');
      assert.ok(!JSON.stringify(entry).includes(password) && !JSON.stringify(entry).includes(secret), 'the audit log holds neither secret');
    });
  });

  test('enrol replaces the authenticator: the old secret stops working at once, the new one works', async () => {
    const added = await run(config, ['add', 'kato'], { name: '加藤', role: 'viewer' });
    const password = /password\s+(\S+)/.exec(added.output)![1]!;
    const old_secret = /authenticator secret\s+(\S+)/.exec(added.output)![1]!;
    const enrolled = await run(config, ['enrol', 'kato']);
    assert.equal(enrolled.code, 0);
    const new_secret = /authenticator secret\s+(\S+)/.exec(enrolled.output)![1]!;
    assert.notEqual(new_secret, old_secret);
    assert.doesNotMatch(enrolled.output, /password/, 'the password is not shown again');
    await withDb(async (db) => {
      const staff = createStaffDirectory({ db, clock: systemClock, ids: createIds(systemClock) });
      assert.equal((await staff.checkLogin('kato', password, await codeNow(old_secret))).outcome, 'wrong_code');
      assert.equal((await staff.checkLogin('kato', password, await codeNow(new_secret))).outcome, 'ok');
    });
  });

  test('unlock lifts a locked staff login and says so; a second unlock changes nothing', async () => {
    await run(config, ['add', 'mori'], { name: '森', role: 'analyst' });
    await withDb((db) => db.query(
      `INSERT INTO credential_account_states (id, credential, account_key, failures_consecutive, locked_at, updated_at) VALUES ($1, 'staff_login', 'staff:mori', 5, now(), now())`,
      [createIds(systemClock).next()]));
    const first = await run(config, ['unlock', 'mori']);
    assert.equal(first.code, 0);
    assert.match(first.output, /mori unlocked/);
    const second = await run(config, ['unlock', 'mori']);
    assert.match(second.output, /was not locked; nothing changed/);
    await withDb(async (db) => {
      const [state] = await db.query<{ locked: boolean }>(`SELECT locked_at IS NOT NULL AS locked FROM credential_account_states WHERE account_key = 'staff:mori'`);
      assert.equal(state?.locked, false);
    });
  });

  test('bad input is refused with the usage and changes nothing: no role, a taken login, an unknown member, a login id with spaces', async () => {
    assert.equal((await run(config, ['add', 'ueda'], { name: 'Ueda' })).code, 1);
    assert.equal((await run(config, ['add', 'nakamura'], { name: 'again', role: 'viewer' })).code, 1);
    assert.equal((await run(config, ['enrol', 'nobody'])).code, 1);
    assert.equal((await run(config, ['add', 'two words'], { name: 'x', role: 'viewer' })).code, 1);
    assert.equal((await run(config, ['promote', 'nakamura'])).code, 1);
    await withDb(async (db) => {
      const staff = createStaffDirectory({ db, clock: systemClock, ids: createIds(systemClock) });
      assert.equal(await staff.findByLogin('ueda'), undefined);
    });
  });
});
