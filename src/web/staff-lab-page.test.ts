import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { staffGet, staffSession, type StaffSession } from '../testing/staff-session.ts';
import { labResultsFixture } from '../lab/lab-results-fixture.ts';
import { renderLabReport } from '../lab/lab-report.ts';

for (const backend of testBackends) {
  describe(`the console's Lab page on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let viewer: StaffSession;
    let folder: string;

    before(async () => {
      folder = await mkdtemp(join(tmpdir(), 'furikae-lab-page-'));
      fixture = await createBankFixture(backend, { lab_report_dir: folder });
      viewer = await staffSession(fixture, 'viewer');
    });
    after(() => fixture?.close());

    test('without a report it says how to make one; the page and the report need a staff session', async () => {
      for (const url of ['/staff/lab', '/staff/lab/report']) {
        const anonymous = await fixture.bank.app.inject({ method: 'GET', url });
        assert.equal(anonymous.statusCode, 302, `${url} sends a visitor to the login`);
        assert.match(String(anonymous.headers.location), /\/staff\/login/);
      }
      const page = await staffGet(fixture, viewer, '/staff/lab');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /id="lab-empty"/);
      assert.match(page.body, /furikae lab run --quick/);
      assert.match(page.body, /href="\/staff\/lab" class="here"/, 'the navigation marks the Lab section');
      const report = await staffGet(fixture, viewer, '/staff/lab/report');
      assert.equal(report.statusCode, 302, 'no report file: back to the Lab page');
    });

    test('with a report it shows each scenario side by side with charts drawn on the server, and serves the full file without scripts', async () => {
      const results = labResultsFixture();
      await writeFile(join(folder, 'results.json'), JSON.stringify(results));
      await writeFile(join(folder, 'index.html'), await renderLabReport(results));
      const page = await staffGet(fixture, viewer, '/staff/lab');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<section id="docomo-2020">/);
      assert.match(page.body, /<th>2020<\/th><th>hardened<\/th>/, 'the two configurations side by side');
      assert.ok((page.body.match(/<svg /g) ?? []).length >= 3, 'the charts are inline SVG');
      assert.match(page.body, /Yen stolen over simulated time/);
      assert.match(page.body, /<code>new-link-large-charge@1<\/code>/, 'the rule ids behind stolen yen');
      assert.doesNotMatch(page.body, /<script/i);
      // The console's CSP allows no inline style: the report's stylesheet is linked, and served.
      assert.doesNotMatch(page.body, /<style|style="/i);
      const sheet = /<link rel="stylesheet" href="(\/assets\/lab-report\.[0-9a-f]+\.css)">/.exec(page.body);
      assert.ok(sheet, 'the page links the lab stylesheet');
      const css = await fixture.bank.app.inject({ method: 'GET', url: sheet[1]! });
      assert.equal(css.statusCode, 200);
      assert.match(css.body, /\.charts \{/);
      const report = await staffGet(fixture, viewer, '/staff/lab/report');
      assert.equal(report.statusCode, 200);
      const csp = String(report.headers['content-security-policy']);
      assert.match(csp, /default-src 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|script-src/, 'no inline style by a blanket allowance, and no script');
      // The file's one <style> is allowed by its hash, so the report is styled and nothing else inline applies.
      const style = /<style>([\s\S]*?)<\/style>/.exec(report.body)?.[1] ?? '';
      assert.ok(csp.includes(`'sha256-${createHash('sha256').update(style).digest('base64')}'`), 'the CSP allows exactly the report\'s stylesheet');
      assert.doesNotMatch(report.body, /<script/i);
      assert.match(report.body, /furikae attack lab/);
    });

    test('a results file it cannot read, or of another format, shows the empty page rather than failing', async () => {
      await writeFile(join(folder, 'results.json'), '{ not json');
      assert.match((await staffGet(fixture, viewer, '/staff/lab')).body, /id="lab-empty"/);
      await writeFile(join(folder, 'results.json'), JSON.stringify({ ...labResultsFixture(), format: 2 }));
      assert.match((await staffGet(fixture, viewer, '/staff/lab')).body, /id="lab-empty"/);
    });
  });
}
