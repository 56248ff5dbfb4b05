import type { SmsChannel, SmsMessage } from '../notify/sms-channel.ts';
import type { Clock } from '../shared/clock.ts';

/**
 * Messages kept per phone for reading codes: a login or an approval reads the newest one or two, so a short
 * history is enough and three simulated years cannot grow memory without bound.
 */
export const PHONE_MESSAGES_KEPT_MAX = 20;

/** A text message as a lab phone received it. */
export interface ReceivedSms extends SmsMessage {
  received_at: Date;
}

/** The phones of the lab's customers (a SIMULATOR of the carrier network): the bank's SMS channel in a lab run. */
export interface LabPhones extends SmsChannel {
  /** The 6-digit code in the newest message to `phone` whose purpose is `purpose` or starts with `purpose_prefix`. */
  lastCode(phone: string, purpose: { purpose?: string; purpose_prefix?: string }): string | undefined;
  /** The newest message to `phone` carrying a code, as `lastCode` finds it: what its reader sees beside the code. */
  lastCodeMessage(phone: string, purpose: { purpose?: string; purpose_prefix?: string }): ReceivedSms | undefined;
  /** Messages received since the last call, in the order received, and forgets them (the engine hands them to their readers). */
  takeNew(): ReceivedSms[];
}

const CODE_IN_TEXT = /\b(\d{6})\b/;

/** The 6-digit code a text carries, if any. */
export const codeInText = (text: string): string | undefined => CODE_IN_TEXT.exec(text)?.[1];

/** Creates the lab's phone network over the run's clock. */
export function createLabPhones({ clock }: { clock: Clock }): LabPhones {
  const history = new Map<string, ReceivedSms[]>();
  let fresh: ReceivedSms[] = [];
  const lastCodeMessage: LabPhones['lastCodeMessage'] = (phone, { purpose, purpose_prefix }) => {
    const kept = history.get(phone) ?? [];
    for (let index = kept.length - 1; index >= 0; index--) {
      const message = kept[index]!;
      if (purpose !== undefined && message.purpose !== purpose) continue;
      if (purpose_prefix !== undefined && !message.purpose.startsWith(purpose_prefix)) continue;
      if (CODE_IN_TEXT.test(message.text)) return message;
    }
    return undefined;
  };
  return {
    async send(message) {
      const received = { ...message, received_at: clock.now() };
      const kept = history.get(message.to_phone) ?? [];
      kept.push(received);
      if (kept.length > PHONE_MESSAGES_KEPT_MAX) kept.shift();
      history.set(message.to_phone, kept);
      fresh.push(received);
    },
    lastCode(phone, purpose) {
      const message = lastCodeMessage(phone, purpose);
      return message && codeInText(message.text);
    },
    lastCodeMessage,
    takeNew() {
      const taken = fresh;
      fresh = [];
      return taken;
    },
  };
}
