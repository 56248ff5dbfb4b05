import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { openStores } from './open-stores.ts';
import { formatYen } from '../shared/yen.ts';
import { generateHistory, HISTORY_CHARGES_MAX, HISTORY_CUSTOMERS_MAX } from '../history/generate-history.ts';
import { createProgressBar } from './progress-bar.ts';

export const LAB_HISTORY_HELP = `furikae lab history --customers N --charges M [--seed S] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
  Fills an EMPTY bank database (DATABASE_URL, or PGlite in FURIKAE_DATA_DIR) with generated history for the
  retrospective scan: N customers (at most ${HISTORY_CUSTOMERS_MAX.toLocaleString('en-US')}) and about M charges (at most ${HISTORY_CHARGES_MAX.toLocaleString('en-US')}) between --from and --to
  (default 2017-07-01 to 2020-09-30), written with COPY, with thefts planted after the 2020 patterns and labelled in
  the table lab_history_thefts. The same seed (default "furikae") gives the same history. Refuses a bank that has customers.
`;

/** `furikae lab history`: generates labelled history into an empty bank. Returns the exit code. */
export async function labHistoryCommand(args: string[], config: Config): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: {
      customers: { type: 'string' }, charges: { type: 'string' }, seed: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    } }));
  } catch (error) {
    console.error(`furikae lab history: ${(error as Error).message}\n\n${LAB_HISTORY_HELP}`);
    return 1;
  }
  if (values.help) {
    console.log(LAB_HISTORY_HELP);
    return 0;
  }
  const customers = Number(values.customers);
  const charges = Number(values.charges);
  if (!Number.isSafeInteger(customers) || customers < 1 || customers > HISTORY_CUSTOMERS_MAX) {
    console.error(`furikae lab history: --customers must be a whole number from 1 to ${HISTORY_CUSTOMERS_MAX}`);
    return 1;
  }
  if (!Number.isSafeInteger(charges) || charges < 0 || charges > HISTORY_CHARGES_MAX) {
    console.error(`furikae lab history: --charges must be a whole number from 0 to ${HISTORY_CHARGES_MAX}`);
    return 1;
  }
  for (const date of [values.from, values.to]) {
    if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      console.error('furikae lab history: --from and --to are dates written YYYY-MM-DD');
      return 1;
    }
  }
  const { bankDb: db } = await openStores(config, { wallet: false });
  try {
    const bar = createProgressBar(process.stderr, 'history');
    const started = performance.now();
    const summary = await generateHistory(db, {
      customers, charges, seed: values.seed ?? 'furikae', ...(values.from ? { from_date: values.from } : {}), ...(values.to ? { to_date: values.to } : {}),
      onProgress: (done, total) => bar.update(done, total, 'customers'),
    });
    console.log([
      `history ${summary.from_date} to ${summary.to_date} written in ${((performance.now() - started) / 1000).toFixed(1)} s:`,
      `  ${summary.customers.toLocaleString('en-US')} customers, ${summary.links.toLocaleString('en-US')} links, ${summary.charges.toLocaleString('en-US')} charges, ${summary.transfers.toLocaleString('en-US')} ledger transfers`,
      `  planted: ${summary.victims} victims, ${summary.theft_charges} theft charges, ${formatYen(summary.theft_yen)} (farm ${summary.variants.farm}, lone ${summary.variants.lone}, impostor ${summary.variants.impostor}, patient ${summary.variants.patient}); labels in lab_history_thefts`,
    ].join('\n'));
    return 0;
  } catch (error) {
    console.error(`furikae lab history: ${(error as Error).message}`);
    return 1;
  } finally {
    await db.close();
  }
}
