import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { charge, createBankFixture, legacyLink, openAccountHolder, type BankFixture } from '../testing/bank-fixture.ts';
import { staffGet, staffPost, staffSession, type StaffSession } from '../testing/staff-session.ts';
import { changePhoneNumber } from '../bank/change-phone-number.ts';

/** Rows of the outbox for this customer with this template. */
const outboxOf = (fixture: BankFixture, customer_id: string, template: string) => fixture.db.query<{ channel: string; data: Record<string, string> }>(
  `SELECT channel, data FROM notification_outbox WHERE customer_id = $1 AND template = $2`, [customer_id, template]);

for (const backend of testBackends) {
  describe(`a phone number change at the branch on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let admin: StaffSession;

    before(async () => {
      fixture = await createBankFixture(backend);
      admin = await staffSession(fixture, 'admin');
    });
    after(() => fixture?.close());

    test('an admin changes the number: the record and its date change, the old number is texted, the customer e-mailed, a code sent to the old number stops working, and the change is audited with the reason', async () => {
      const holder = await openAccountHolder(fixture);
      const { secondFactors } = fixture.bank.services;
      assert.ok((await secondFactors.sendSmsCode(holder.customer_id, 'login')).ok);
      const old_code = fixture.sms.lastCode(holder.phone, 'login')!;
      fixture.clock.advance(60_000);

      const page = await staffGet(fixture, admin, `/staff/customers/${holder.customer_id}`);
      assert.match(page.body, /id="change-phone"/);
      const response = await staffPost(fixture, admin, `/staff/customers/${holder.customer_id}/phone`, { phone: '090-7777-8888', reason: '機種変更・番号変更 (運転免許証確認)' });
      assert.equal(response.statusCode, 303, response.body);

      const [customer] = await fixture.db.query<{ phone: string; phone_set_at: Date }>(`SELECT phone, phone_set_at FROM customers WHERE id = $1`, [holder.customer_id]);
      assert.equal(customer!.phone, '090-7777-8888');
      assert.deepEqual(customer!.phone_set_at, fixture.clock.now());

      const toOld = fixture.sms.messages(holder.phone).filter((message) => message.purpose === 'phone_number_changed');
      assert.equal(toOld.length, 1, 'the old number is told');
      assert.ok(toOld[0]!.text.includes('****8888') && toOld[0]!.text.includes(`****${holder.phone.slice(-4)}`), toOld[0]!.text);
      assert.equal(fixture.sms.messages('090-7777-8888').filter((message) => message.purpose === 'phone_number_changed').length, 1, 'and the new one');
      const mail = await outboxOf(fixture, holder.customer_id, 'phone_number_changed');
      assert.deepEqual(mail.map((row) => [row.channel, row.data.new_phone_masked]), [['email', '*******8888']]);

      const verified = await secondFactors.verify(holder.customer_id, { factor: 'sms', code: old_code, purpose: 'login' });
      assert.equal(verified.ok, false, 'a code sent to the old number no longer signs in');

      const [entry] = await fixture.db.query<{ action: string; reason: string; details: Record<string, string> }>(
        `SELECT action, reason, details FROM audit_log WHERE subject = $1 AND action = 'customer.phone_change'`, [holder.customer_id]);
      assert.equal(entry?.reason, '機種変更・番号変更 (運転免許証確認)');
      assert.equal(entry?.details.new_phone_masked, '*******8888');
      assert.ok(!JSON.stringify(entry).includes('090-7777-8888'), 'the audit keeps the masked numbers only');
    });

    test('the next charge sees a number 0 hours old, and the 2020 pattern of a new link and the cap is held as a phone takeover', async () => {
      const { customer } = fixture;
      assert.equal((await staffPost(fixture, admin, `/staff/customers/${customer.id}/phone`, { phone: '080-2468-1357', reason: '番号変更 (窓口)' })).statusCode, 303);
      const { body } = await legacyLink(fixture);
      const response = await charge(fixture, body.link_token, { amount_yen: 100_000 }, 'phone-change-charge-1');
      assert.equal(response.statusCode, 202, response.body);
      const [decision] = await fixture.db.query<{ reasons: string[]; features: { phone_number_age_hours: number }; typologies: { typology: string; score: number }[] }>(
        `SELECT reasons, features, typologies FROM risk_decisions WHERE charge_id = $1`, [response.json().id]);
      assert.equal(decision!.features.phone_number_age_hours, 0);
      assert.ok(decision!.reasons.includes('phone_number_new'), decision!.reasons.join());
      const takeover = decision!.typologies.find((typology) => typology.typology === 'phone-takeover@1');
      assert.ok(takeover && takeover.score >= 100, JSON.stringify(decision!.typologies));
    });

    test('an SMS gateway that is down neither undoes nor hides the change: the number changes and the e-mail is queued', async () => {
      const holder = await openAccountHolder(fixture);
      const { services } = fixture.bank;
      const down = { send: async () => { throw new Error('SMS gateway: 503'); } };
      const changed = await changePhoneNumber({ ...services, sms: down }, { customer_id: holder.customer_id, phone: '070-1111-0000' });
      assert.deepEqual(changed, { ok: true, previous_phone_masked: `*******${holder.phone.slice(-4)}`, new_phone_masked: '*******0000' });
      const [customer] = await fixture.db.query<{ phone: string }>(`SELECT phone FROM customers WHERE id = $1`, [holder.customer_id]);
      assert.equal(customer!.phone, '070-1111-0000');
      assert.equal((await outboxOf(fixture, holder.customer_id, 'phone_number_changed')).length, 1, 'the e-mail waits in the outbox');
    });

    const refusals: [string, Record<string, string>, number, string][] = [
      ['a landline', { phone: '03-1234-5678', reason: 'r' }, 422, 'staff_phone_number_invalid'],
      ['digits too few', { phone: '090-1234-567', reason: 'r' }, 422, 'staff_phone_number_invalid'],
      ['letters', { phone: '090-abcd-efgh', reason: 'r' }, 422, 'staff_phone_number_invalid'],
      ['an empty number', { phone: '', reason: 'r' }, 422, 'staff_phone_number_invalid'],
      ['the same number written the international way', { phone: '+81 80 0000 9999', reason: 'r' }, 409, 'staff_phone_number_unchanged'],
      ['no reason', { phone: '090-1357-2468', reason: '  ' }, 422, 'staff_reason_invalid'],
      ['a reason over 200 characters', { phone: '090-1357-2468', reason: 'x'.repeat(201) }, 422, 'staff_reason_invalid'],
      ['a wrong form token', { phone: '090-1357-2468', reason: 'r', csrf: 'forged' }, 403, 'staff_csrf_token_invalid'],
    ];
    for (const [name, fields, status, code] of refusals) {
      test(`${name} is refused with ${status} ${code}, and nothing changes and no one is texted`, async () => {
        const holder = await openAccountHolder(fixture);
        assert.equal(holder.phone, `080-0000-${holder.phone.slice(-4)}`);
        const body = name.startsWith('the same number') ? { ...fields, phone: `+81 80 0000 ${holder.phone.slice(-4)}` } : fields;
        const texts = fixture.sms.messages().length;
        const snapshot = await fixture.snapshot();
        const response = await staffPost(fixture, admin, `/staff/customers/${holder.customer_id}/phone`, body);
        assert.equal(response.statusCode, status, response.body);
        assert.match(response.body, new RegExp(`data-code="${code}"`));
        await fixture.assertNothingWritten(snapshot);
        assert.equal(fixture.sms.messages().length, texts);
      });
    }

    test('an analyst or a viewer is refused 403 staff_role_insufficient and sees no form; an unknown customer is 404', async () => {
      const holder = await openAccountHolder(fixture);
      for (const role of ['analyst', 'viewer'] as const) {
        const member = await staffSession(fixture, role);
        assert.doesNotMatch((await staffGet(fixture, member, `/staff/customers/${holder.customer_id}`)).body, /id="change-phone"/);
        const response = await staffPost(fixture, member, `/staff/customers/${holder.customer_id}/phone`, { phone: '090-1357-2468', reason: 'r' });
        assert.equal(response.statusCode, 403);
        assert.match(response.body, /data-code="staff_role_insufficient"/);
      }
      const unknown = await staffPost(fixture, admin, '/staff/customers/00000000-0000-7000-8000-000000000000/phone', { phone: '090-1357-2468', reason: 'r' });
      assert.equal(unknown.statusCode, 404);
      const [customer] = await fixture.db.query<{ phone: string }>(`SELECT phone FROM customers WHERE id = $1`, [holder.customer_id]);
      assert.equal(customer!.phone, holder.phone);
    });
  });
}
