/** One e-mail to one customer. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** Which notice it is (`link_created`, `charge_succeeded`…): for records and logs, never shown to the recipient. */
  purpose: string;
}

/** Where the bank sends e-mail: an SMTP server (src/notify/smtp-mail-channel.ts). */
export interface MailChannel {
  /** Resolves once the server accepted the message; rejects with MailDeliveryError or any error (taken as transient). */
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

/**
 * A failed send, with whether retrying the same message can ever help. Only a refusal of the recipient itself
 * (an unknown mailbox) is permanent; a server that is down, full or misconfigured is transient, so the message
 * waits in the outbox until it can go.
 */
export class MailDeliveryError extends Error {
  override name = 'MailDeliveryError';
  constructor(message: string, readonly permanent: boolean) {
    super(message);
  }
}
