import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { maskPhone, type SmsChannel, type SmsMessage } from './sms-channel.ts';

/**
 * Messages the simulator keeps before dropping the oldest: enough for a demo session or a test run,
 * small enough that a long lab run cannot grow memory without bound.
 */
export const SMS_SIMULATOR_MESSAGES_MAX = 1000;

/** A message the simulator "delivered". */
export interface SimulatedSms extends SmsMessage {
  sent_at: Date;
}

/** An SmsChannel that delivers nothing: it records messages so tests and the demo can read the codes. */
export interface SmsSimulator extends SmsChannel {
  /** Messages recorded, oldest first; only those to `to_phone` when given. */
  messages(to_phone?: string): SimulatedSms[];
  /** The 6-digit code in the newest message to `to_phone` (for `purpose`, when given), or undefined. */
  lastCode(to_phone: string, purpose?: string): string | undefined;
  clear(): void;
}

const CODE_IN_TEXT = /\b(\d{6})\b/;

/** The shipped SMS channel: a SIMULATOR for the demo and tests, never a real carrier. Logs never carry the text. */
export function createSmsSimulator({ clock, log }: { clock: Clock; log?: Logger }): SmsSimulator {
  const recorded: SimulatedSms[] = [];
  return {
    async send(message) {
      recorded.push({ ...message, sent_at: clock.now() });
      if (recorded.length > SMS_SIMULATOR_MESSAGES_MAX) recorded.shift();
      // The text may hold a one-time code, so only the masked phone and the purpose are logged.
      log?.info({ to_phone: maskPhone(message.to_phone), purpose: message.purpose }, 'sms simulated');
    },
    messages(to_phone) {
      return recorded.filter((message) => to_phone === undefined || message.to_phone === to_phone).map((message) => ({ ...message }));
    },
    lastCode(to_phone, purpose) {
      for (let index = recorded.length - 1; index >= 0; index--) {
        const message = recorded[index]!;
        if (message.to_phone !== to_phone || (purpose !== undefined && message.purpose !== purpose)) continue;
        const match = CODE_IN_TEXT.exec(message.text);
        if (match) return match[1];
      }
      return undefined;
    },
    clear() {
      recorded.length = 0;
    },
  };
}
