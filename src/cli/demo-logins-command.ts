import type { Config } from '../config.ts';
import { configuredDemoAddresses, demoBanner } from './start-demo.ts';

/** How long `--logins` waits for a running demo's /health before saying none answers: loopback answers in milliseconds. */
const DEMO_PROBE_TIMEOUT_MS = 1_000;

/** Whether a demo bank answers at `bank_url`: `--logins` says so, since the logins only work while one runs. */
async function demoAnswers(bank_url: string): Promise<boolean> {
  try {
    const response = await fetch(`${bank_url}/health`, { signal: AbortSignal.timeout(DEMO_PROBE_TIMEOUT_MS) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * `furikae demo --logins`: prints the demo's addresses and logins again, for the demo this configuration starts
 * (the seed is fixed, so the logins are the running demo's), without starting or touching it.
 */
export async function demoLoginsCommand(config: Config): Promise<number> {
  const addresses = configuredDemoAddresses(config);
  const running = await demoAnswers(addresses.bank_url);
  console.log(running
    ? `A demo bank answers at ${addresses.bank_url}.`
    : `No demo answers at ${addresses.bank_url} yet: start it with \`furikae demo\` (npm start); these logins are the ones it seeds.`);
  console.log(demoBanner(addresses, config).replace(/^\nfurikae demo is running on/, '\nfurikae demo runs on'));
  return 0;
}
