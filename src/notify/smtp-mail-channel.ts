import nodemailer from 'nodemailer';
import { MailDeliveryError, type MailChannel } from './mail-channel.ts';

/**
 * How long to wait for the server to accept a TCP connection, greet, and answer each command. Short, because the
 * outbox retries: a hung server must free the dispatcher well within its claim lease (NOTICE_CLAIM_LEASE_MS).
 */
export const SMTP_CONNECTION_TIMEOUT_MS = 5_000;
export const SMTP_GREETING_TIMEOUT_MS = 5_000;
export const SMTP_SOCKET_TIMEOUT_MS = 15_000;
/** Connections kept open to the server: enough for a dispatcher's batch, few enough to be polite to the relay. */
export const SMTP_CONNECTIONS_MAX = 3;

interface SmtpError {
  message?: string;
  code?: string;
  command?: string;
  responseCode?: number;
  permanent?: boolean;
}

/** A short reason for the outbox's last_error: the code and the server's reply, never the message. */
function describe(error: SmtpError): string {
  return [error.code, error.responseCode, error.message].filter((part) => part !== undefined).join(' ').slice(0, 300);
}

/** Sends e-mail over SMTP with nodemailer, to the server at `smtp_url` (smtp://host:port or smtps://user:pass@host). */
export function createSmtpMailChannel({ smtp_url, from }: { smtp_url: string; from: string }): MailChannel {
  const transport = nodemailer.createTransport({
    url: smtp_url,
    pool: true,
    maxConnections: SMTP_CONNECTIONS_MAX,
    connectionTimeout: SMTP_CONNECTION_TIMEOUT_MS,
    greetingTimeout: SMTP_GREETING_TIMEOUT_MS,
    socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(message) {
      try {
        await transport.sendMail({
          from, to: message.to, subject: message.subject, text: message.text,
          // base64 keeps long "not me" URLs in one piece for simple readers and sinks; clients decode it anyway.
          textEncoding: 'base64',
          headers: { 'X-Furikae-Notice': message.purpose },
        });
      } catch (cause) {
        const error = cause as SmtpError;
        const recipientRefused = error.permanent === true && (error.code === 'EENVELOPE' || /^RCPT/i.test(error.command ?? ''));
        throw new MailDeliveryError(describe(error), recipientRefused);
      }
    },
    async close() {
      transport.close();
    },
  };
}
