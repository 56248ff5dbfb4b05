import type { MailChannel, MailMessage } from '../notify/mail-channel.ts';
import type { Clock } from '../shared/clock.ts';

/** An e-mail as a lab customer's mailbox received it. */
export interface ReceivedMail extends MailMessage {
  received_at: Date;
}

/**
 * The lab's customers' mailboxes (a SIMULATOR of their mail providers): the bank's e-mail channel in a lab run, in
 * place of SMTP, which has its own tests (src/notify). Mail is handed to the customers after each step of the run and
 * not kept, so a run of a million notices holds none of them for long.
 */
export interface LabMailboxes extends MailChannel {
  /** Mail received since the last call, in the order received, and forgets it. */
  takeNew(): ReceivedMail[];
}

/** Creates the mailboxes over the run's clock. */
export function createLabMailboxes({ clock }: { clock: Clock }): LabMailboxes {
  let fresh: ReceivedMail[] = [];
  return {
    async send(message) {
      fresh.push({ ...message, received_at: clock.now() });
    },
    async close() {},
    takeNew() {
      const taken = fresh;
      fresh = [];
      return taken;
    },
  };
}
