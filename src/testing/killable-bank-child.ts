/**
 * A bank process for kill tests, run as `node --import tsx killable-bank-child.ts '<json>'`. It opens the database it
 * is given, runs one action on the bank's services, and kills itself with SIGKILL (no clean-up, no flush: a crash)
 * right after its `die_after_commits`-th committed transaction, or when the parent kills it first.
 */
import { createSmsSimulator } from '../notify/sms-simulator.ts';
import { createSimulatedSimSwapApi } from '../telecom/simulated-sim-swap-api.ts';
import type { Database } from '../storage/database.ts';
import { openDatabase, type OpenDatabaseOptions } from '../storage/open-database.ts';
import { createBankServices, type BankServices } from '../bank-services.ts';
import { ManualClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { FIXTURE_CREDENTIAL_KEY, FIXTURE_AUDIT_KEY, FIXTURE_NOT_ME_KEY } from './bank-fixture.ts';
import { createNotificationDispatcher } from '../notify/notification-dispatcher.ts';
import { createSmtpMailChannel } from '../notify/smtp-mail-channel.ts';
import { createCampaignNoticeSource } from '../outreach/campaign-notice-source.ts';

export interface KillableChildInput {
  database: OpenDatabaseOptions;
  /** The frozen time the child's clock shows (ISO 8601). */
  now: string;
  action:
    | { kind: 'approve_compensation'; compensation_id: string; staff_id: string }
    /** Sends campaign e-mails to the SMTP server, a second of clock per dispatch, until the parent kills it. */
    | { kind: 'send_campaigns'; smtp_url: string; sends_per_second: number };
  /** SIGKILL itself right after this many transactions have committed (counted from the action's start); 0: never. */
  die_after_commits: number;
}

/** Wraps a database so that, once armed, the process dies unflushed right after the n-th transaction commits. */
function dieAfterCommits(db: Database, n: number): Database & { arm(): void } {
  let committed = 0;
  let armed = false;
  return {
    arm() {
      armed = true;
    },
    ...db,
    backend: db.backend,
    query: db.query.bind(db),
    exec: db.exec.bind(db),
    close: db.close.bind(db),
    async transaction(work) {
      const result = await db.transaction(work);
      if (!armed) return result;
      committed += 1;
      if (n > 0 && committed >= n) {
        process.stdout.write(`died after ${committed} commits\n`);
        process.kill(process.pid, 'SIGKILL');
      }
      return result;
    },
  };
}

type Action<K extends KillableChildInput['action']['kind']> = (services: BankServices, action: Extract<KillableChildInput['action'], { kind: K }>, clock: ManualClock) => Promise<unknown>;

const ACTIONS: { [K in KillableChildInput['action']['kind']]: Action<K> } = {
  approve_compensation: (services, action) => services.compensations.approve(action.compensation_id, action.staff_id),
  async send_campaigns(services, action, clock) {
    const mail = createSmtpMailChannel({ smtp_url: action.smtp_url, from: 'ふりかえ銀行 <notices@furikae-bank.example>' });
    const dispatcher = createNotificationDispatcher({
      db: services.db, clock, log: services.log, sms: services.sms, mail, tokens: services.notMeTokens, public_url: 'http://bank.test',
      bulk: createCampaignNoticeSource({ db: services.db, clock, log: services.log, sends_per_second: action.sends_per_second }),
    });
    for (;;) {
      clock.advance(1_000);
      const result = await dispatcher.dispatchOnce();
      process.stdout.write(`dispatched ${result.sent}\n`);
    }
  },
};

const input = JSON.parse(process.argv[2] ?? '{}') as KillableChildInput;
const db = await openDatabase(input.database);
const clock = new ManualClock(input.now);
const dying = dieAfterCommits(db, input.die_after_commits);
const services = await createBankServices({
  db: dying, clock, ids: createIds(clock), log: createLogger({ level: 'silent' }), credential_fingerprint_key: FIXTURE_CREDENTIAL_KEY, audit_key: FIXTURE_AUDIT_KEY,
  not_me_key: FIXTURE_NOT_ME_KEY, sms: createSmsSimulator({ clock }), simSwap: createSimulatedSimSwapApi({ clock }),
});
dying.arm();
await (ACTIONS[input.action.kind] as Action<typeof input.action.kind>)(services, input.action as never, clock);
process.stdout.write('finished without dying\n');
await services.close();
await db.close();
