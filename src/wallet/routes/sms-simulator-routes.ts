import type { FastifyInstance } from 'fastify';
import type { SmsSimulator } from '../../notify/sms-simulator.ts';
import { renderSmsSimulatorPage } from '../pages/sms-simulator-page.ts';
import type { PageKit } from './page-kit.ts';

/** Texts shown: the newest are the ones anyone is waiting for. */
const SIMULATED_MESSAGES_SHOWN_MAX = 50;
/** Where the wallet's SMS simulator inbox is served (only when the demo passes `demo_sms_inbox`). */
export const WALLET_SMS_SIMULATOR_PATH = '/simulator/sms';

/** GET /simulator/sms: the wallet's own SMS simulator inbox, for the demo. Never wired to a real gateway. */
export function registerSmsSimulatorRoutes(app: FastifyInstance, kit: PageKit, simulator: SmsSimulator): void {
  app.get(WALLET_SMS_SIMULATOR_PATH, async (_request, reply) => {
    const messages = simulator.messages().slice(-SIMULATED_MESSAGES_SHOWN_MAX).reverse();
    return kit.sendPage(reply, 200, renderSmsSimulatorPage(kit.frame('SMSシミュレーター / SMS simulator'), { messages }));
  });
}
