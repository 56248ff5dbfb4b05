/** One text message to a phone. `text` may carry a one-time code: it is a secret and is never logged. */
export interface SmsMessage {
  to_phone: string;
  text: string;
  /** Why the message was sent (`login`, `consent`, `factor_locked`…): for records and tests, never shown to the recipient. */
  purpose: string;
}

/** Where the bank sends text messages: a carrier gateway in production, a simulator in the demo and tests. */
export interface SmsChannel {
  send(message: SmsMessage): Promise<void>;
}

/** Shows only the last four digits of a phone number, for logs and pages. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length <= 4 ? '****' : `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}
