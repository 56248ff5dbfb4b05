/**
 * The bank, seeded for the charge benchmark, in its own process so the load generator does not share its
 * event loop. Prints one JSON line { url, tokens } on stdout when ready; exits on SIGTERM.
 * Env: BENCH_DATABASE_URL (PostgreSQL) or none for PGlite, in memory or in BENCH_PGLITE_DIR (BENCH_PGLITE_SYNC=off for
 * the un-synced comparison); BENCH_LINKS; BENCH_RISK=off to drop the risk
 * step (and the history it reads) from the charge path, for the same-run comparison.
 */
import { openDatabase } from '../storage/open-database.ts';
import { createSimulatedSimSwapApi } from '../telecom/simulated-sim-swap-api.ts';
import { createPgliteDatabase } from '../storage/pglite-database.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { migrate } from '../storage/migrate.ts';
import { DEMO_AUDIT_KEY, DEMO_CREDENTIAL_FINGERPRINT_KEY, DEMO_NOT_ME_KEY } from '../config.ts';
import { createSmsSimulator } from '../notify/sms-simulator.ts';
import { HTTP_RATE_LIMITS } from '../throttle/http-rate-limits.ts';
import { createBankApp } from '../bank-app.ts';
import { systemClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { createLegacyLink } from '../linking/legacy-link.ts';
import { chargeSteps } from '../charges/charge-steps.ts';
import { benchRiskConfig } from './bench-risk-config.ts';

const links_count = Number(process.env.BENCH_LINKS ?? 50);
const risk_on = process.env.BENCH_RISK !== 'off';
// PGlite in memory unless BENCH_PGLITE_DIR names a folder, synced on commit unless BENCH_PGLITE_SYNC=off.
const db = process.env.BENCH_DATABASE_URL
  ? await openDatabase({ database_url: process.env.BENCH_DATABASE_URL })
  : await createPgliteDatabase(process.env.BENCH_PGLITE_DIR || undefined, { sync_on_commit: process.env.BENCH_PGLITE_SYNC !== 'off' });
await migrate(db, bankMigrationSets);
const ids = createIds(systemClock);
const bank = await createBankApp({ db, clock: systemClock, ids, log: createLogger({ level: 'warn' }), credential_fingerprint_key: DEMO_CREDENTIAL_FINGERPRINT_KEY, audit_key: DEMO_AUDIT_KEY, public_url: 'http://127.0.0.1',
  // A benchmark, not a bank: the demo keys, and a simulator, since no charge here sends a text.
  not_me_key: DEMO_NOT_ME_KEY, sms: createSmsSimulator({ clock: systemClock }), simSwap: createSimulatedSimSwapApi({ clock: systemClock }),
  // The load generator is one address sending what a whole market of operators would: the limiter runs (its cost is
  // measured) but its limit is out of reach.
  rate_limits: { ...HTTP_RATE_LIMITS, api_per_window_max: Number.MAX_SAFE_INTEGER, pages_per_window_max: Number.MAX_SAFE_INTEGER },
  ...(risk_on ? { risk: { config: benchRiskConfig() } } : { charge_steps: chargeSteps.filter((step) => step.name !== 'risk' && step.name !== 'history') }) });
const { core, operators } = bank.services;
const { operator } = await operators.register({ display_name: 'Bench Pay', passbook_label: 'ベンチペイ', link_methods_allowed: ['legacy_pin'] });
const tokens: string[] = [];
for (let i = 0; i < links_count; i++) {
  const account_number = String(1_000_000 + i);
  const customer = await core.openCustomer({
    name_kanji: `顧客 ${i}`, name_kana: `コキャク ${i}`, birth_date: '1970-01-01', phone: '090-0000-0000',
    email: `c${i}@example.jp`, address: '東京都', login_id: `bench${i}`, password: 'bench-password',
  });
  const account = await core.openAccount({ customer_id: customer.id, branch_code: '001', account_number, pin: '1234' });
  await core.deposit(account.id, 100_000_000);
  const { link_token } = await createLegacyLink(bank.services, operator, {
    branch_code: '001', account_number, pin: '1234', name_kana: `コキャク ${i}`, birth_date: '1970-01-01',
  }, { ip: '127.0.0.1' });
  tokens.push(link_token);
}
const url = await bank.app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url, tokens })}\n`);
process.once('SIGTERM', async () => {
  await bank.close();
  await db.close();
  process.exit(0);
});
