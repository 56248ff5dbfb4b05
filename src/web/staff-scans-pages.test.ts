import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { FORM_HEADERS, formBody, staffGet, staffPost, staffSession, type StaffSession } from '../testing/staff-session.ts';
import { plantScanHistory } from '../testing/scan-history.ts';

for (const backend of testBackends) {
  describe(`the console's scan pages on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let analyst: StaffSession;
    let viewer: StaffSession;
    let planted: Awaited<ReturnType<typeof plantScanHistory>>;
    const scansCount = async () => (await fixture.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM scans`))[0]!.n;
    /** Starts a scan as the page's script does; answers the JSON. */
    const startJson = (who: StaffSession, fields: Record<string, string>) => fixture.bank.app.inject({
      method: 'POST', url: '/staff/scans', cookies: who.cookies, headers: { ...FORM_HEADERS, accept: 'application/json' }, payload: formBody({ csrf: who.csrf, ...fields }),
    });
    /** Waits for a background scan by reading its progress as the page does. */
    const finished = async (scan_id: string) => {
      for (let attempt = 0; attempt < 600; attempt += 1) {
        const progress = (await staffGet(fixture, analyst, `/staff/scans/${scan_id}/progress`)).json() as { status: string };
        if (progress.status !== 'running') return progress;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the scan did not finish');
    };

    before(async () => {
      fixture = await createBankFixture(backend);
      planted = await plantScanHistory(fixture.db);
      analyst = await staffSession(fixture, 'analyst');
      viewer = await staffSession(fixture, 'viewer');
    });
    after(async () => fixture?.close());

    test('a viewer reads the list but may not start a scan: 403 staff_role_insufficient and no scan written', async () => {
      const page = await staffGet(fixture, viewer, '/staff/scans');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /遡及スキャン Scans/);
      assert.doesNotMatch(page.body, /data-action="start-scan"/);
      const before = await fixture.snapshot();
      const refused = await staffPost(fixture, viewer, '/staff/scans', { from: '2020-01-01', to: '2020-12-31' });
      assert.equal(refused.statusCode, 403);
      assert.match(refused.body, /data-code="staff_role_insufficient"/);
      await fixture.assertNothingWritten(before);
      assert.equal(await scansCount(), 0);
    });

    test('bad windows and an unknown operator get problem+json for the page script and a console error for a plain form; nothing is written', async () => {
      const before = await fixture.snapshot();
      const backwards = await startJson(analyst, { from: '2020-12-31', to: '2020-01-01' });
      assert.equal(backwards.statusCode, 422);
      assert.match(backwards.headers['content-type'] as string, /application\/problem\+json/);
      assert.equal(backwards.json().code, 'scan_window_invalid');
      assert.equal((await startJson(analyst, { from: '2005-01-01', to: '2020-12-31' })).json().code, 'scan_window_too_long');
      assert.equal((await startJson(analyst, { from: '', to: '' })).json().code, 'scan_window_invalid');
      for (const chunk_customers of ['0', '1.5', 'lots', '100001']) {
        assert.equal((await startJson(analyst, { from: '2020-01-01', to: '2020-12-31', chunk_customers })).json().code, 'validation_failed', chunk_customers);
      }
      const unknown = await staffPost(fixture, analyst, '/staff/scans', { from: '2020-01-01', to: '2020-12-31', operator: 'nobody' });
      assert.equal(unknown.statusCode, 422);
      assert.match(unknown.body, /data-code="scan_operator_unknown"/);
      await fixture.assertNothingWritten(before);
      assert.equal(await scansCount(), 0);
    });

    test('an analyst starts a scan, follows its progress, and finds the thieves’ links sorted by score; sorting by yen ascending reorders them', async () => {
      const started = await staffPost(fixture, analyst, '/staff/scans', { from: '2020-01-01', to: '2020-12-31' });
      assert.equal(started.statusCode, 303);
      const scan_id = (started.headers.location as string).split('/').at(-1)!;
      const progress = await finished(scan_id);
      assert.equal(progress.status, 'done', JSON.stringify(progress));
      const page = await staffGet(fixture, analyst, `/staff/scans/${scan_id}`);
      assert.equal(page.statusCode, 200);
      const rows = [...page.body.matchAll(/<tr data-suspect="([^"]+)" data-score="(\d+)">/g)];
      assert.deepEqual(rows.map((row) => row[1]).sort(), [...planted.theft_link_ids].sort());
      const scores = rows.map((row) => Number(row[2]));
      assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
      const byYen = await staffGet(fixture, analyst, `/staff/scans/${scan_id}?kind=links&sort=yen&dir=asc`);
      const yen = [...byYen.body.matchAll(/<td class="yen">¥([\d,]+)<\/td><td>(?:<span class="code">)/g)].map((match) => Number(match[1]!.replace(/,/g, '')));
      assert.equal(yen.length, 3);
      assert.deepEqual(yen, [...yen].sort((a, b) => a - b));
      assert.match(byYen.body, /aria-sort="ascending"/);
      const [audit] = await fixture.db.query<{ action: string; staff_id: string }>(`SELECT action, staff_id FROM audit_log WHERE subject = $1`, [scan_id]);
      assert.deepEqual(audit, { action: 'scan.start', staff_id: analyst.id });
    });

    test('the CSV downloads every suspect charge; an analyst opens cases for the ticked links once; a viewer may not', async () => {
      const [scan] = await fixture.db.query<{ id: string; suspect_charges: number }>(`SELECT id, suspect_charges FROM scans WHERE status = 'done' ORDER BY started_at DESC LIMIT 1`);
      const csv = await staffGet(fixture, viewer, `/staff/scans/${scan!.id}/suspects.csv?kind=charges`);
      assert.equal(csv.statusCode, 200);
      assert.match(csv.headers['content-type'] as string, /text\/csv/);
      assert.match(csv.headers['content-disposition'] as string, /attachment; filename="scan-2020-01-01-2020-12-31-charges.csv"/);
      assert.equal(csv.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n').length, scan!.suspect_charges + 1);

      const refused = await staffPost(fixture, viewer, `/staff/scans/${scan!.id}/cases`, { scope: 'selected', link_ids: planted.theft_link_ids[0]! });
      assert.equal(refused.statusCode, 403);
      const nothing = await staffPost(fixture, analyst, `/staff/scans/${scan!.id}/cases`, { scope: 'selected' });
      assert.equal(nothing.statusCode, 400);
      assert.match(nothing.body, /data-code="validation_failed"/);
      const opened = await fixture.bank.app.inject({ method: 'POST', url: `/staff/scans/${scan!.id}/cases`, cookies: analyst.cookies, headers: FORM_HEADERS,
        payload: `csrf=${analyst.csrf}&scope=selected&link_ids=${planted.theft_link_ids[0]}&link_ids=${planted.theft_link_ids[1]}` });
      assert.equal(opened.statusCode, 303);
      assert.match(opened.headers.location as string, /opened=2/);
      const again = await staffPost(fixture, analyst, `/staff/scans/${scan!.id}/cases`, { scope: 'top' });
      assert.match(again.headers.location as string, /opened=1/);
      const cases = await fixture.db.query<{ link_id: string; charge_ids: string[]; opened_by: string }>(`SELECT link_id, charge_ids, opened_by FROM cases ORDER BY link_id`);
      assert.deepEqual(cases.map((row) => row.link_id).sort(), [...planted.theft_link_ids].sort());
      assert.ok(cases.every((row) => row.charge_ids.length === 2 && row.opened_by === `staff:${analyst.id}`));
    });

    test('an unknown or malformed scan id is scan_not_found, as a page and as JSON', async () => {
      const page = await staffGet(fixture, analyst, '/staff/scans/01900000-0000-7000-8000-000000000000');
      assert.equal(page.statusCode, 404);
      assert.match(page.body, /data-code="scan_not_found"/);
      const progress = await fixture.bank.app.inject({ method: 'GET', url: '/staff/scans/not-a-scan/progress', cookies: analyst.cookies, headers: { accept: 'application/json' } });
      assert.equal(progress.statusCode, 404);
      assert.equal(progress.json().code, 'scan_not_found');
    });
  });
}
