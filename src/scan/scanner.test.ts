import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../storage/database.ts';
import { testBackends } from '../testing/test-databases.ts';
import { migrate } from '../storage/migrate.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { ManualClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import { createCaseStore } from '../cases/case-store.ts';
import { createStaffDirectory } from '../staff/staff-directory.ts';
import { createRiskPipeline } from '../risk/risk-pipeline.ts';
import { DEFAULT_RISK_CONFIG } from '../risk/default-risk-config.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { createHistoryBank, type HistoryOperatorRow } from '../testing/history-bank.ts';
import type { HistoryLink } from '../history/history-writer.ts';
import { DEFAULT_SCAN_CONFIG } from './default-scan-config.ts';
import type { ScanConfig } from './scan-config.ts';
import { FIXTURE_AUDIT_KEY } from '../testing/bank-fixture.ts';
import { createScanner } from './scanner.ts';
import { createScanReader } from './scan-read-api.ts';
import { scanCsv } from './scan-csv.ts';
import { snapshotDatabase } from '../testing/database-snapshot.ts';
import { assertNothingWritten } from '../testing/refusal-may-write.ts';
import { openScanCases } from './open-scan-cases.ts';
import type { ScanProgress } from './scan.ts';

/** A config in which only one scan rule counts: the suspects are exactly the links it alerted (unless told otherwise) or blocked on. */
function only(rule: string, alert = 100): ScanConfig {
  return {
    ...DEFAULT_SCAN_CONFIG,
    typology: {
      ...DEFAULT_SCAN_CONFIG.typology, weights: { [rule]: { alert, block: 100 } },
      link_decision_points: { challenge: 0, hold: 0, deny: 0 }, charge_decision_points: { challenge: 0, hold: 0, deny: 0 }, suspect_score_min: 100,
    },
  };
}

const WINDOW = { from: '2020-01-01', to: '2020-12-31' } as const;

for (const backend of testBackends) {
  describe(`retrospective scan on ${backend.name}`, { skip: backend.skip }, () => {
    let db: Database;
    const clock = new ManualClock('2021-06-01T00:00:00Z');
    const ids = createIds(clock);
    const log = createLogger({ level: 'silent' });
    let legacy: HistoryOperatorRow;
    let other: HistoryOperatorRow;
    let secure: HistoryOperatorRow;
    /** Each typology's positive and negative links, by name. */
    const links: Record<string, HistoryLink> = {};
    const charges: Record<string, string> = {};

    const scanner = (scan_config?: ScanConfig, customers_per_chunk?: number) => {
      const audit = createAuditLog({ db, clock, ids, key: FIXTURE_AUDIT_KEY });
      return createScanner({ db, clock, ids, log, audit, pipeline: createRiskPipeline(DEFAULT_RISK_CONFIG), ...(scan_config ? { scan_config } : {}), ...(customers_per_chunk ? { customers_per_chunk } : {}) });
    };
    const suspectLinks = async (scan_id: string) =>
      (await db.query<{ link_id: string }>(`SELECT link_id FROM scan_links WHERE scan_id = $1 ORDER BY link_id`, [scan_id])).map((row) => row.link_id);
    const runOnly = async (rule: string, alert?: number) => (await (await scanner(only(rule, alert)).start({ ...WINDOW, started_by: 'cli' })).finished);
    const idsOf = (...names: string[]) => names.map((name) => links[name]!.id).sort();

    before(async () => {
      db = await backend.open();
      await migrate(db, bankMigrationSets);
      const bank = createHistoryBank(db);
      legacy = await bank.operator('scan-test-legacy', 'legacy_pin');
      other = await bank.operator('scan-test-other', 'legacy_pin');
      secure = await bank.operator('scan-test-secure', 'fapi2');
      const young = { birth_date: '1980-05-05' };
      /** An active 40-year-old who signs in, with a balance, linked at `at` on `operator`. */
      const ordinary = async (name: string, at: string, balance_yen = 1_000_000, operator = legacy, extras: Parameters<typeof bank.link>[3] = {}) => {
        const customer = await bank.customer({ ...young, balance_yen });
        bank.signIn(customer, '2020-02-01T01:00:00Z');
        links[name] = await bank.link(customer, operator, at, extras);
        return customer;
      };

      // Drain: ¥195,000 of ¥200,000 within hours of the link; its twin tops up ¥30,000 of ¥1,000,000.
      await ordinary('drained', '2020-03-01T00:00:00Z', 200_000);
      charges.drained_1 = bank.charge(links.drained!, legacy, 100_000, '2020-03-01T01:00:00Z');
      charges.drained_2 = bank.charge(links.drained!, legacy, 95_000, '2020-03-01T05:00:00Z');
      await ordinary('topped_up', '2020-03-01T00:00:00Z');
      bank.charge(links.topped_up!, legacy, 20_000, '2020-03-01T01:00:00Z');
      bank.charge(links.topped_up!, legacy, 10_000, '2020-03-02T01:00:00Z');

      // One device behind three customers' links; two customers sharing a family tablet.
      for (const name of ['farm_1', 'farm_2', 'farm_3']) {
        await ordinary(name, `2020-04-0${name.at(-1)}T00:00:00Z`, 1_000_000, legacy, { device_id: 'thief-phone' });
        bank.charge(links[name]!, legacy, 5_000, `2020-04-0${name.at(-1)}T02:00:00Z`);
      }
      for (const name of ['family_1', 'family_2']) {
        await ordinary(name, `2020-04-1${name.at(-1)}T00:00:00Z`, 1_000_000, legacy, { device_id: 'family-tablet' });
        bank.charge(links[name]!, legacy, 5_000, `2020-04-1${name.at(-1)}T02:00:00Z`);
      }

      // A FAPI link whose attested name never matched; its twin matched all but the phone.
      await ordinary('impostor', '2020-05-01T00:00:00Z', 1_000_000, secure, { method: 'fapi2', identity_match_reasons: ['name_mismatch', 'birth_date_match', 'phone_match'] });
      bank.charge(links.impostor!, secure, 5_000, '2020-05-01T02:00:00Z');
      await ordinary('weak_phone', '2020-05-01T00:00:00Z', 1_000_000, secure, { method: 'fapi2', identity_match_reasons: ['name_exact', 'birth_date_match', 'phone_mismatch'] });
      bank.charge(links.weak_phone!, secure, 5_000, '2020-05-01T02:00:00Z');

      // Charged without ever signing in during the window (only before it); its twin signed in once, in the window.
      const silent = await bank.customer({ ...young, balance_yen: 1_000_000 });
      bank.signIn(silent, '2019-06-01T00:00:00Z');
      links.silent = await bank.link(silent, legacy, '2020-06-01T00:00:00Z');
      bank.charge(links.silent, legacy, 5_000, '2020-06-01T02:00:00Z');

      // Elderly, and dormant since 2018; the twins are young and active (every other customer too).
      const elderly = await bank.customer({ birth_date: '1940-01-01', balance_yen: 1_000_000 });
      bank.signIn(elderly, '2020-02-01T00:00:00Z');
      links.elderly = await bank.link(elderly, legacy, '2020-06-10T00:00:00Z');
      bank.charge(links.elderly, legacy, 5_000, '2020-06-10T02:00:00Z');
      const dormant = await bank.customer({ ...young, balance_yen: 1_000_000, last_out: '2018-06-01T00:00:00Z' });
      bank.signIn(dormant, '2020-02-01T00:00:00Z');
      links.dormant = await bank.link(dormant, legacy, '2020-06-10T00:00:00Z');
      bank.charge(links.dormant, legacy, 5_000, '2020-06-10T02:00:00Z');

      // PIN guessed the hour before the link; the twin mistyped it three days before.
      const guessed = await ordinary('guessed', '2020-07-01T12:00:00Z');
      bank.pinFailure(guessed, '2020-07-01T11:00:00Z');
      bank.pinFailure(guessed, '2020-07-01T11:05:00Z');
      bank.charge(links.guessed!, legacy, 5_000, '2020-07-01T13:00:00Z');
      const typo = await ordinary('typo', '2020-07-05T12:00:00Z');
      bank.pinFailure(typo, '2020-07-02T11:00:00Z');
      bank.charge(links.typo!, legacy, 5_000, '2020-07-05T13:00:00Z');
      const locked = await ordinary('locked', '2020-07-10T12:00:00Z');
      await bank.lockPin(locked, '2020-07-09T12:00:00Z');
      bank.charge(links.locked!, legacy, 5_000, '2020-07-10T13:00:00Z');

      // What the bank knows now: a "not me" after the window, a case resolved as fraud, and one resolved as legitimate.
      const reporter = await ordinary('reported', '2020-08-01T00:00:00Z');
      bank.charge(links.reported!, legacy, 5_000, '2020-08-01T02:00:00Z');
      await bank.notMe(reporter, links.reported!, '2021-03-01T00:00:00Z');
      const confirmed = await ordinary('confirmed', '2020-08-02T00:00:00Z', 1_000_000, legacy, { revoked: '2021-02-01T00:00:00Z' });
      bank.charge(links.confirmed!, legacy, 5_000, '2020-08-02T02:00:00Z');
      await bank.resolvedCase(confirmed, links.confirmed!, 'fraud', '2021-02-01T00:00:00Z');
      const cleared = await ordinary('cleared', '2020-08-03T00:00:00Z');
      bank.charge(links.cleared!, legacy, 5_000, '2020-08-03T02:00:00Z');
      await bank.notMe(cleared, links.cleared!, '2020-08-10T00:00:00Z');
      await bank.resolvedCase(cleared, links.cleared!, 'legitimate', '2020-08-12T00:00:00Z');

      // Another operator: a 2020 theft, and a theft before the window (2019) on the first operator.
      const victim = await bank.customer({ birth_date: '1942-03-15', balance_yen: 250_000 });
      links.theft_other = await bank.link(victim, other, '2020-09-10T00:00:00Z');
      charges.theft_other_1 = bank.charge(links.theft_other, other, 100_000, '2020-09-10T00:30:00Z');
      charges.theft_other_2 = bank.charge(links.theft_other, other, 100_000, '2020-09-10T02:00:00Z');
      charges.theft_other_3 = bank.charge(links.theft_other, other, 50_000, '2020-09-11T02:00:00Z');
      const earlier = await bank.customer({ birth_date: '1945-03-15', balance_yen: 250_000 });
      links.theft_2019 = await bank.link(earlier, legacy, '2019-09-10T00:00:00Z');
      bank.charge(links.theft_2019, legacy, 100_000, '2019-09-10T00:30:00Z');
      bank.charge(links.theft_2019, legacy, 100_000, '2019-09-10T02:00:00Z');
      await bank.finish();
    });
    after(async () => db?.close());

    test('drain-after-link lists a link that emptied the account within hours, not one that topped up a little', async () => {
      const scan = await runOnly('drain-after-link@1');
      assert.equal(scan.status, 'done', scan.failure ?? '');
      const found = await suspectLinks(scan.id);
      assert.ok(found.includes(links.drained!.id));
      assert.ok(!found.includes(links.topped_up!.id));
      assert.ok(found.includes(links.theft_other!.id), 'the 2020 theft drained its victim too');
    });

    test('shared-device-several-customers blocks the three links from one phone, and only alerts on a family’s shared tablet', async () => {
      const scan = await runOnly('shared-device-several-customers@1', 0);
      const found = await suspectLinks(scan.id);
      for (const name of ['farm_1', 'farm_2', 'farm_3']) assert.ok(found.includes(links[name]!.id), name);
      for (const name of ['family_1', 'family_2']) assert.ok(!found.includes(links[name]!.id), name);
      const alerted = await suspectLinks((await runOnly('shared-device-several-customers@1')).id);
      for (const name of ['family_1', 'family_2']) assert.ok(alerted.includes(links[name]!.id), name);
    });

    test('identity-never-matched lists the link whose attested name did not match, not the one with only another phone', async () => {
      assert.deepEqual(await suspectLinks((await runOnly('identity-never-matched@1')).id), idsOf('impostor'));
    });

    test('no-bank-sign-in counts only sign-ins inside the window: a customer who signed in only the year before is listed', async () => {
      const found = await suspectLinks((await runOnly('no-bank-sign-in@1')).id);
      assert.ok(found.includes(links.silent!.id));
      assert.ok(!found.includes(links.drained!.id));
      assert.ok(!found.includes(links.elderly!.id));
    });

    test('dormant-or-elderly-charged lists the 80-year-old’s and the dormant account’s links, not an active 40-year-old’s', async () => {
      const found = await suspectLinks((await runOnly('dormant-or-elderly-charged@1')).id);
      assert.ok(found.includes(links.elderly!.id));
      assert.ok(found.includes(links.dormant!.id));
      assert.ok(!found.includes(links.topped_up!.id));
      assert.ok(found.includes(links.theft_other!.id), 'the victim is 78');
    });

    test('credential-attack-before-link lists a link after PIN failures that hour or a lock that week, not after a typo three days before', async () => {
      const found = await suspectLinks((await runOnly('credential-attack-before-link@1')).id);
      assert.deepEqual(found, idsOf('guessed', 'locked'));
    });

    test('a scan sees what the bank knows now: a "not me" reported after the window and a case resolved as fraud; a report cleared as legitimate is not listed', async () => {
      assert.deepEqual(await suspectLinks((await runOnly('reported-not-me@1')).id), idsOf('reported'));
      assert.deepEqual(await suspectLinks((await runOnly('confirmed-fraud@1')).id), idsOf('confirmed'));
    });

    test('with the shipped configs, the 2020 theft is suspect with today’s reasons and honest customers are not', async () => {
      const scan = await (await scanner().start({ ...WINDOW, started_by: 'cli' })).finished;
      assert.equal(scan.status, 'done', scan.failure ?? '');
      assert.equal(scan.risk_config_id, 'furikae-default@6');
      assert.equal(scan.scan_config_id, 'furikae-scan@1');
      const reader = createScanReader(db);
      const { rows } = await reader.suspects(scan.id, 'charges');
      const theft = rows.find((row) => row.charge_id === charges.theft_other_1);
      assert.ok(theft, 'the first theft charge is suspect');
      assert.ok(theft.reasons.includes('maximum_charge_without_history'), theft.reasons.join());
      assert.ok(theft.reasons.includes('typology:link-and-drain-2020@2'));
      assert.notEqual(theft.decision, 'allow');
      const found = await suspectLinks(scan.id);
      for (const honest of ['topped_up', 'family_1', 'weak_phone', 'silent', 'elderly', 'typo', 'cleared']) assert.ok(!found.includes(links[honest]!.id), honest);
      // Totals: every charge in the window counted once under its operator and Japan-time month.
      const totals = await reader.totals(scan.id);
      const september = totals.find((total) => total.operator_id === other.id && total.month === '2020-09');
      assert.deepEqual({ charges: september?.charges_scanned, yen: september?.charged_yen, suspect: september?.suspect_yen }, { charges: 3, yen: 250_000, suspect: 250_000 });
      const [counted] = await db.query<{ n: number; yen: number }>(
        `SELECT count(*)::int AS n, sum(amount_yen)::int8 AS yen FROM charges WHERE created_at >= '2019-12-31T15:00:00Z' AND created_at < '2020-12-31T15:00:00Z'`);
      assert.equal(totals.reduce((sum, total) => sum + total.charges_scanned, 0), counted!.n);
      assert.equal(scan.charges_scanned, counted!.n);
      assert.equal(scan.charged_yen_scanned, counted!.yen);
      const customers = await reader.customerIds(scan.id);
      assert.ok(customers.includes(links.theft_other!.customer_id));
    });

    test('a theft before the window is not scanned; the same window one year earlier finds it', async () => {
      const scan2020 = await (await scanner().start({ ...WINDOW, started_by: 'cli' })).finished;
      assert.ok(!(await suspectLinks(scan2020.id)).includes(links.theft_2019!.id));
      const scan2019 = await (await scanner().start({ from: '2019-01-01', to: '2019-12-31', started_by: 'cli' })).finished;
      assert.deepEqual(await suspectLinks(scan2019.id), idsOf('theft_2019'));
      assert.equal(scan2019.charges_scanned, 2);
    });

    test('an operator filter (by id or client_id) scans only that operator’s links and charges', async () => {
      const byClient = await (await scanner().start({ ...WINDOW, operator: other.client_id, started_by: 'cli' })).finished;
      assert.equal(byClient.operator_id, other.id);
      assert.deepEqual(await suspectLinks(byClient.id), idsOf('theft_other'));
      assert.equal(byClient.charges_scanned, 3);
      const byId = await (await scanner().start({ ...WINDOW, operator: legacy.id, started_by: 'cli' })).finished;
      assert.ok(!(await suspectLinks(byId.id)).includes(links.theft_other!.id));
      const [chargesElsewhere] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM scan_charges WHERE scan_id = $1 AND operator_id <> $2`, [byId.id, legacy.id]);
      assert.equal(chargesElsewhere!.n, 0);
    });

    test('bad input changes nothing: from after to, over ten years, an unknown operator or incident', async () => {
      const before = await snapshotDatabase(db);
      const refused = (code: string) => (error: unknown) => error instanceof FurikaeError && error.code === code;
      await assert.rejects(scanner().start({ from: '2020-12-31', to: '2020-01-01', started_by: 'cli' }), refused('scan_window_invalid'));
      await assert.rejects(scanner().start({ from: '2005-01-01', to: '2020-12-31', started_by: 'cli' }), refused('scan_window_too_long'));
      await assert.rejects(scanner().start({ ...WINDOW, operator: 'no-such-wallet', started_by: 'cli' }), refused('scan_operator_unknown'));
      await assert.rejects(scanner().start({ ...WINDOW, operator: '0190b8a2-0000-7000-8000-000000000000', started_by: 'cli' }), refused('scan_operator_unknown'));
      await assert.rejects(scanner().start({ ...WINDOW, incident_id: 'not-an-id', started_by: 'cli' }), refused('scan_incident_unknown'));
      assertNothingWritten(before, await snapshotDatabase(db));
    });

    test('a second scan while one runs is refused with scan_busy; one left running by a stopped process is marked failed after ten minutes', async () => {
      const first = await scanner().start({ ...WINDOW, started_by: 'cli' });
      await assert.rejects(scanner().start({ ...WINDOW, started_by: 'cli' }), (error: unknown) => error instanceof FurikaeError && error.code === 'scan_busy');
      await first.finished;
      // A scan whose process died: running, no progress since.
      const stale = ids.next();
      await db.query(`INSERT INTO scans (id, from_date, to_date, from_at, to_at, risk_config_id, scan_config_id, started_by, status, chunks_total, customers_total, started_at, updated_at)
                      VALUES ($1, '2020-01-01', '2020-01-02', now(), now() + interval '1 day', 'x@1', 'y@1', 'cli', 'running', 1, 1, $2, $2)`,
        [stale, new Date(clock.now().getTime() - 11 * 60 * 1000)]);
      const next = await (await scanner().start({ ...WINDOW, started_by: 'cli' })).finished;
      assert.equal(next.status, 'done');
      const [marked] = await db.query<{ status: string; failure: string }>(`SELECT status, failure FROM scans WHERE id = $1`, [stale]);
      assert.equal(marked!.status, 'failed');
      assert.match(marked!.failure, /stalled/);
    });

    test('progress is told after every chunk, and the chunks together scan every charge once', async () => {
      const seen: ScanProgress[] = [];
      const started = await scanner(undefined, 3).start({ ...WINDOW, started_by: 'cli' }, (progress) => seen.push(progress));
      assert.equal(started.scan.status, 'running');
      assert.ok(started.scan.chunks_total >= 5, `chunks: ${started.scan.chunks_total}`);
      const scan = await started.finished;
      assert.deepEqual(seen.map((progress) => progress.chunks_done), Array.from({ length: scan.chunks_total }, (_, index) => index + 1));
      assert.equal(seen.at(-1)!.charges_scanned, scan.charges_scanned);
      const whole = await (await scanner().start({ ...WINDOW, started_by: 'cli' })).finished;
      assert.equal(scan.charges_scanned, whole.charges_scanned);
      assert.deepEqual(await suspectLinks(scan.id), await suspectLinks(whole.id));
      assert.equal(scan.chunks_done, scan.chunks_total);
      // One customer a chunk: as many chunks as customers (a chunk size of 1 once gave none at all).
      const single = await (await scanner().start({ ...WINDOW, started_by: 'cli', customers_per_chunk: 1 })).finished;
      const [customers] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers`);
      assert.equal(single.chunks_total, customers!.n);
      assert.equal(single.charges_scanned, whole.charges_scanned);
    });

    test('the CSV export lists every suspect charge with a header, and bulk opening makes one case per link, never two', async () => {
      const scan = await (await scanner().start({ ...WINDOW, started_by: 'cli' })).finished;
      const reader = createScanReader(db);
      let csv = '';
      for await (const piece of scanCsv(reader, scan.id, 'charges')) csv += piece;
      const lines = csv.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
      assert.equal(lines[0], 'charge_id,link_id,customer_id,customer_name,operator,charged_at,amount_yen,score,decision_today,reasons');
      assert.equal(lines.length - 1, scan.suspect_charges);
      assert.ok(lines.some((line) => line.startsWith(charges.theft_other_1!)));

      const staff = await createStaffDirectory({ db, clock, ids }).create({ login_id: 'scan-analyst', display_name: 'analyst', password: 'scan-analyst-password', role: 'analyst' });
      const audit = createAuditLog({ db, clock, ids, key: FIXTURE_AUDIT_KEY });
      const cases = createCaseStore({ db, clock, ids, audit });
      const opened = await openScanCases({ db, cases, audit }, { scan_id: scan.id, link_ids: [links.theft_other!.id], staff_id: staff.id });
      assert.equal(opened.outcome, 'done');
      assert.equal(opened.outcome === 'done' && opened.opened, 1);
      const again = await openScanCases({ db, cases, audit }, { scan_id: scan.id, link_ids: 'top', staff_id: staff.id });
      assert.ok(again.outcome === 'done' && again.already_open === 1 && again.opened === scan.suspect_links - 1, JSON.stringify(again));
      const caseId = opened.outcome === 'done' ? opened.case_ids[0]! : '';
      const covered = await reader.chargesOfCase(caseId);
      assert.deepEqual(covered.map((charge) => charge.charge_id).sort(), [charges.theft_other_1, charges.theft_other_2, charges.theft_other_3].sort());
      const [entry] = await db.query<{ action: string; subject: string }>(`SELECT action, subject FROM audit_log WHERE action = 'scan.open_cases' ORDER BY seq LIMIT 1`);
      assert.deepEqual(entry, { action: 'scan.open_cases', subject: scan.id });
      assert.equal((await openScanCases({ db, cases, audit }, { scan_id: 'nope', link_ids: 'top', staff_id: staff.id })).outcome, 'not_found');
    });
  });
}
