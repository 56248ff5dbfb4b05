import { after, before, describe, test } from 'node:test';
import { createSimulatedSimSwapApi } from '../telecom/simulated-sim-swap-api.ts';
import { createSmsSimulator } from '../notify/sms-simulator.ts';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testBackends } from '../testing/test-databases.ts';
import { reopenableDatabase } from '../testing/reopenable-database.ts';
import { createIncidentFixture } from '../testing/incident-fixture.ts';
import { insertLinkedCustomers } from '../testing/linked-customers.ts';
import type { KillableChildInput } from '../testing/killable-bank-child.ts';
import { FIXTURE_CREDENTIAL_KEY, FIXTURE_AUDIT_KEY, FIXTURE_NOT_ME_KEY } from '../testing/bank-fixture.ts';
import { createBankServices } from '../bank-services.ts';
import { ManualClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { startMailSink, type MailSink } from '../notify/mail-sink.ts';
import { createSmtpMailChannel } from '../notify/smtp-mail-channel.ts';
import { createNotificationDispatcher, NOTICE_BATCH_MAX } from '../notify/notification-dispatcher.ts';
import { createCampaignNoticeSource } from './campaign-notice-source.ts';

const CHILD = fileURLToPath(new URL('../testing/killable-bank-child.ts', import.meta.url));
/** Customers the campaign reaches: several dispatches' worth, so the kill lands mid-campaign. */
const RECIPIENTS = 300;
/** Kill the sender once the relay has this many: well into the campaign, well before its end. */
const KILL_AFTER_RECEIVED = 100;
/** Longest the child may take to send that many, on a loaded machine. */
const CHILD_SENDING_TIMEOUT_MS = 240_000;

/** Starts a child bank process sending campaign e-mails; SIGKILLs it once the sink holds `after` campaign e-mails. */
async function sendThenKill(input: KillableChildInput, sink: MailSink, after: number): Promise<{ signal: NodeJS.Signals | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(input)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const started = Date.now();
  while (sink.messages().length < after && child.exitCode === null && Date.now() - started < CHILD_SENDING_TIMEOUT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  child.kill('SIGKILL');
  return { signal: await exited, output };
}

for (const backend of testBackends) {
  describe(`a campaign across a crash on ${backend.name}`, { skip: backend.skip }, () => {
    let sink: MailSink;
    before(async () => {
      sink = await startMailSink();
    });
    after(() => sink?.close());

    test('a sender killed mid-campaign is resumed by another process: every customer is sent to, none twice', async (t) => {
      const database = await reopenableDatabase(backend);
      try {
        const fixture = await createIncidentFixture(database.backend);
        const { services } = fixture.bank;
        await insertLinkedCustomers(fixture.db, { count: RECIPIENTS, operator_id: fixture.operator.id, prefix: 'crash', now: fixture.clock.now() });
        const campaign = await services.campaigns.create({ incident_id: fixture.incident.id, segment: { kind: 'operator', operator_id: fixture.operator.id } }, fixture.admin.id);
        await services.campaigns.enqueuePending();
        const now = fixture.clock.now();
        await fixture.close();

        const killed = await sendThenKill({
          database: database.options, now: now.toISOString(), die_after_commits: 0,
          action: { kind: 'send_campaigns', smtp_url: sink.url, sends_per_second: 40 },
        }, sink, KILL_AFTER_RECEIVED);
        assert.equal(killed.signal, 'SIGKILL', `the sender was killed mid-campaign: ${killed.output.slice(-2000)}`);
        const received_before_restart = sink.messages().length;
        assert.ok(received_before_restart >= KILL_AFTER_RECEIVED && received_before_restart < RECIPIENTS, `killed mid-campaign (${received_before_restart} sent)`);

        // Another bank process takes over, after the dead one's lease ran out (its clock ran at most a second a dispatch).
        const db = await database.open();
        const clock = new ManualClock(new Date(now.getTime() + 60 * 60_000));
        const restarted = await createBankServices({ db, clock, ids: createIds(clock), log: createLogger({ level: 'silent' }), credential_fingerprint_key: FIXTURE_CREDENTIAL_KEY, audit_key: FIXTURE_AUDIT_KEY, not_me_key: FIXTURE_NOT_ME_KEY, sms: createSmsSimulator({ clock }), simSwap: createSimulatedSimSwapApi({ clock }) });
        const mail = createSmtpMailChannel({ smtp_url: sink.url, from: 'ふりかえ銀行 <notices@furikae-bank.example>' });
        try {
          const dispatcher = createNotificationDispatcher({
            db, clock, log: restarted.log, sms: restarted.sms, mail, tokens: restarted.notMeTokens, public_url: 'http://bank.test',
            bulk: createCampaignNoticeSource({ db, clock, log: restarted.log, sends_per_second: 100 }),
          });
          for (let pass = 0; pass < 40 && (await restarted.campaigns.progress(campaign.id))!.campaign.status !== 'completed'; pass++) {
            clock.advance(1_000);
            await dispatcher.dispatchOnce();
          }
          const { campaign: done, sending, waiting } = (await restarted.campaigns.progress(campaign.id))!;
          t.diagnostic(`kill: ${received_before_restart} received before the restart; sent ${done.sent_count}, uncertain ${done.uncertain_count}`);
          assert.equal(done.status, 'completed');
          assert.deepEqual([sending, waiting, done.failed_count, done.cancelled_count], [0, 0, 0, 0]);
          assert.equal(done.sent_count + done.uncertain_count, RECIPIENTS, 'every notice settled');
          assert.ok(done.uncertain_count <= NOTICE_BATCH_MAX, `at most one claim was in flight at the kill (${done.uncertain_count})`);

          const received = sink.messages().filter((message) => message.purpose === 'campaign_notice');
          const per_recipient = new Map<string, number>();
          for (const message of received) for (const to of message.envelope_to) per_recipient.set(to, (per_recipient.get(to) ?? 0) + 1);
          const twice = [...per_recipient].filter(([, n]) => n > 1);
          assert.deepEqual(twice, [], 'no customer was sent the notice twice');
          const statuses = await db.query<{ email: string; status: string }>(
            `SELECT c.email, o.status FROM notification_outbox o JOIN customers c ON c.id = o.customer_id WHERE o.campaign_id = $1`, [campaign.id]);
          for (const { email, status } of statuses) {
            if (status === 'sent') assert.equal(per_recipient.get(email), 1, `${email} is recorded sent and received it once`);
          }
          // What the relay got: every sent notice, plus those of the uncertain ones that the dead sender had handed over.
          assert.ok(received.length >= done.sent_count && received.length <= RECIPIENTS, `${received.length} received for ${done.sent_count} sent`);
          assert.ok(received.length > received_before_restart, 'the second process sent the rest');
        } finally {
          await mail.close();
          await restarted.close();
          await db.close();
        }
      } finally {
        database.remove();
      }
    });
  });
}

