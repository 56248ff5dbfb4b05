import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { charge, createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { chargeLink, linkedElderlyCustomer, STEP_UP_TEST_BANK } from '../stepup/waiting-charge-fixture.ts';
import { staffGet, staffSession } from '../testing/staff-session.ts';
import { alertLabel } from './staff-alerts-page.ts';
import { jst } from '../shared/japan-time.ts';

const CHARTS = ['charges-per-minute', 'alerts-by-kind', 'top-rules'] as const;

/** The labels Vega gives each bar for screen readers: "field: value; field: value". */
function barLabels(svg: string): string[] {
  return [...svg.matchAll(/aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="bar"/g)].map((match) => match[1]!.replaceAll('&amp;', '&'));
}

for (const backend of testBackends) {
  describe(`the dashboard's charts on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;

    before(async () => {
      fixture = await createBankFixture(backend, { waiting_charge_jobs: false, ...STEP_UP_TEST_BANK });
    });
    after(() => fixture?.close());

    const chart = async (name: string) => {
      const viewer = await staffSession(fixture, 'viewer');
      const response = await staffGet(fixture, viewer, `/staff/charts/${name}.svg`);
      assert.equal(response.statusCode, 200, response.body.slice(0, 300));
      assert.match(String(response.headers['content-type']), /^image\/svg\+xml/);
      assert.match(response.body, /^<svg /);
      return response.body;
    };

    test('with nothing yet, each chart is an empty chart that says so, not an error', async () => {
      for (const name of CHARTS) {
        const svg = await chart(name);
        assert.match(svg, /まだありません · no (charges|alerts|rule hits) yet/, name);
        assert.deepEqual(barLabels(svg), [], name);
      }
    });

    test('only staff see the charts: without a session each answers as the dashboard does, with the login page', async () => {
      const dashboard = await fixture.bank.app.inject({ method: 'GET', url: '/staff' });
      for (const name of CHARTS) {
        const response = await fixture.bank.app.inject({ method: 'GET', url: `/staff/charts/${name}.svg` });
        assert.deepEqual([response.statusCode, response.headers.location], [dashboard.statusCode, dashboard.headers.location], name);
        assert.equal(response.headers.location, '/staff/login');
        assert.doesNotMatch(response.body, /<svg/);
      }
    });

    test('redrawing a chart is not activity: a dashboard left alone logs out after the idle limit however often its charts redraw', async () => {
      const viewer = await staffSession(fixture, 'viewer');
      for (let minute = 0; minute < 20; minute += 5) {
        fixture.clock.advance(5 * 60_000);
        const redraw = await staffGet(fixture, viewer, '/staff/charts/charges-per-minute.svg?at=1');
        if (minute < 10) assert.equal(redraw.statusCode, 200, `${minute + 5} min idle`);
      }
      const page = await staffGet(fixture, viewer, '/staff');
      assert.deepEqual([page.statusCode, page.headers.location], [302, '/staff/login'], 'twenty minutes with only redraws: the session ended');
    });

    test('the dashboard embeds each chart and the script that redraws them, a file the CSP allows', async () => {
      const viewer = await staffSession(fixture, 'viewer');
      const page = await staffGet(fixture, viewer, '/staff');
      for (const name of CHARTS) assert.match(page.body, new RegExp(`<img src="/staff/charts/${name}.svg" data-live-chart="/staff/charts/${name}.svg" id="chart-${name}" alt="[^"]+">`));
      assert.match(page.body, /<script src="\/staff\/dashboard\/live.js" defer><\/script>/);
      assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
      const script = await fixture.bank.app.inject({ method: 'GET', url: '/staff/dashboard/live.js' });
      assert.match(String(script.headers['content-type']), /^application\/javascript/);
      assert.match(script.body, /data-live-chart/);
    });

    test('seeded charges, holds and alerts show as bars with their counts; charges older than the hour leave that chart but stay in the day', async () => {
      const { link_token } = (await legacyLink(fixture)).body;
      for (const amount_yen of [1000, 2000, 3000]) assert.equal((await charge(fixture, link_token, { amount_yen }, `chart-${amount_yen}`)).statusCode, 201);
      const elder = await linkedElderlyCustomer(fixture);
      assert.equal((await legacyLink(fixture, { ...elder.fields, pin: '0000' })).response.statusCode, 422);
      const held = await chargeLink(fixture, elder, 100_000);
      assert.equal(held.json().status, 'held', held.body);
      await fixture.db.transaction((tx) => fixture.bank.services.cases.raiseAlert(tx, [
        { kind: 'not_me', severity: 'high', customer_id: fixture.customer.id }, { kind: 'not_me', severity: 'high', customer_id: fixture.customer.id }]));

      const minute = jst(fixture.clock.now()).slice(11);
      const decisions = await fixture.db.query<{ action: string; n: number }>(
        `SELECT action, count(*)::int AS n FROM risk_decisions WHERE stage = 'charge' GROUP BY action ORDER BY action`);
      assert.ok(decisions.some((row) => row.action === 'hold'));
      const charges = barLabels(await chart('charges-per-minute'));
      for (const { action, n } of decisions) {
        assert.ok(charges.some((label) => label.includes(`minute: ${minute}`) && label.includes(`decision: ${action}`) && label.includes(`charges: ${n}`)),
          `a bar of ${n} ${action} at ${minute}: ${charges.join(' | ')}`);
      }

      const alerts = barLabels(await chart('alerts-by-kind'));
      const byKind = await fixture.db.query<{ kind: string; n: number }>(`SELECT kind, count(*)::int AS n FROM alerts WHERE status = 'open' GROUP BY kind`);
      assert.ok(byKind.some((row) => row.kind === 'not_me' && row.n === 2));
      for (const { kind, n } of byKind) {
        assert.ok(alerts.some((label) => label.includes(`kind: ${alertLabel(kind)}`) && label.includes(`alerts: ${n}`) && label.includes('status: open')), `${kind}: ${alerts.join(' | ')}`);
      }

      const hits = await fixture.db.query<{ rule: string; n: number }>(
        `SELECT reason AS rule, count(*)::int AS n FROM risk_decisions, unnest(reasons) AS reason WHERE action <> 'allow' AND reason NOT LIKE 'typology:%' GROUP BY reason`);
      assert.ok(hits.length > 0, 'the hold fired rules');
      const rules = barLabels(await chart('top-rules'));
      for (const { rule, n } of hits.sort((a, b) => b.n - a.n).slice(0, 10)) {
        assert.ok(rules.includes(`decisions it fired in: ${n}; rule: ${rule}`), `${rule} × ${n}: ${rules.join(' | ')}`);
      }
      assert.ok(rules.every((label) => !label.includes('typology:')), 'typologies are patterns, not rules');

      fixture.clock.advance(2 * 60 * 60_000);
      assert.match(await chart('charges-per-minute'), /no charges yet/, 'an hour later the minute chart is empty again');
      assert.ok(barLabels(await chart('top-rules')).length > 0, 'the day chart still has them');
      fixture.clock.advance(23 * 60 * 60_000);
      assert.match(await chart('top-rules'), /no rule hits yet/, 'after a day the rules chart is empty');
      assert.match(await chart('alerts-by-kind'), /no alerts yet/);
    });
  });
}
