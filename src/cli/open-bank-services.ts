import type { Config } from '../config.ts';
import { createSimulatedSimSwapApi } from '../telecom/simulated-sim-swap-api.ts';
import { createUnconfiguredSimSwapApi } from '../telecom/unconfigured-sim-swap-api.ts';
import { createHttpSmsGateway } from '../notify/http-sms-gateway.ts';
import { createSmsSimulator } from '../notify/sms-simulator.ts';
import { createBankServices, type BankServices } from '../bank-services.ts';
import { systemClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { openStores } from './open-stores.ts';

/** The bank's services over its migrated database, for a CLI command that works on the bank without serving it. */
export async function openBankServices(config: Config): Promise<{ services: BankServices; close(): Promise<void> }> {
  const { bankDb } = await openStores(config, { wallet: false });
  const services = await createBankServices({
    db: bankDb, clock: systemClock, ids: createIds(systemClock), log: createLogger({ level: config.log_level ?? 'warn' }),
    credential_fingerprint_key: config.credential_fingerprint_key, audit_key: config.audit_key, audit_anchor_file: config.audit_anchor_file,
    not_me_key: config.not_me_key,
    // The gateway when one is configured (production); the demo's simulator otherwise, as `furikae demo` runs.
    sms: config.sms_gateway_url && config.sms_gateway_token
      ? createHttpSmsGateway({ url: config.sms_gateway_url, token: config.sms_gateway_token, log: createLogger({ level: 'warn' }) })
      : createSmsSimulator({ clock: systemClock }),
    // CLI commands approve no factor; with a gateway (production) no SIM is trusted, as `serve` runs.
    simSwap: config.sms_gateway_url && config.sms_gateway_token ? createUnconfiguredSimSwapApi() : createSimulatedSimSwapApi({ clock: systemClock }),
  });
  return {
    services,
    async close() {
      await services.close();
      await bankDb.close();
    },
  };
}
