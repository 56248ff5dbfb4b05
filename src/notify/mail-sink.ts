import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/** Messages the sink keeps before dropping the oldest: plenty for a demo session, bounded for a long lab run. */
export const MAIL_SINK_MESSAGES_MAX = 1000;
/** Largest message the sink accepts: a notice is a few KiB; anything near this is a bug. */
export const MAIL_SINK_MESSAGE_BYTES_MAX = 1024 * 1024;

/** A message as the sink received it over SMTP, with its text body decoded. */
export interface ReceivedMail {
  received_at: Date;
  envelope_from: string;
  envelope_to: string[];
  from: string;
  to: string;
  subject: string;
  /** The `X-Furikae-Notice` header: which notice it is. */
  purpose: string;
  text: string;
  raw: string;
}

/** A local SMTP server that accepts every message and keeps it in memory: for tests and the demo, never production. */
export interface MailSink {
  /** smtp://127.0.0.1:port, to give the bank as SMTP_URL. */
  url: string;
  port: number;
  /** Messages received, oldest first; only those to `to` when given. */
  messages(to?: string): ReceivedMail[];
  /** Resolves with the first message (to `to`, if given) beyond the first `after` ones, or rejects after `timeout_ms`. */
  waitFor(options?: { to?: string; after?: number; timeout_ms?: number }): Promise<ReceivedMail>;
  clear(): void;
  close(): Promise<void>;
}

/** Decodes RFC 2047 encoded words (=?UTF-8?B?…?= and =?UTF-8?Q?…?=) in a header. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_match, _charset: string, encoding: string, data: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')));
}

function decodeQuotedPrintable(text: string): string {
  const soft = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let index = 0; index < soft.length; index++) {
    const hex = soft.slice(index + 1, index + 3);
    if (soft[index] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      index += 2;
    } else {
      bytes.push(...Buffer.from(soft[index]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Splits a single-part message into headers and a decoded text body (the bank sends plain text only). */
export function parseMail(raw: string): { headers: Map<string, string>; text: string } {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const text = encoding === 'base64'
    ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
    : encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : body;
  return { headers, text: text.replace(/\r\n/g, '\n') };
}

/** Starts a sink on loopback (port 0 picks a free one). */
export async function startMailSink({ host = '127.0.0.1', port = 0, refuse_recipients = [] }: {
  host?: string;
  port?: number;
  /** Addresses answered "550 mailbox unavailable", as a real server does for an unknown user. */
  refuse_recipients?: readonly string[];
} = {}): Promise<MailSink> {
  const received: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: no certificate to trust, and nodemailer would otherwise try STARTTLS.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: MAIL_SINK_MESSAGE_BYTES_MAX,
    rejectOversized: true,
    onRcptTo(address, _session, callback) {
      if (!refuse_recipients.includes(address.address)) return callback();
      return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const { headers, text } = parseMail(raw);
        received.push({
          received_at: new Date(),
          envelope_from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelope_to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          from: decodeWords(headers.get('from') ?? ''),
          to: decodeWords(headers.get('to') ?? ''),
          subject: decodeWords(headers.get('subject') ?? ''),
          purpose: headers.get('x-furikae-notice') ?? '',
          text,
          raw,
        });
        if (received.length > MAIL_SINK_MESSAGES_MAX) received.shift();
        for (const wake of waiters) wake();
        callback(null, 'queued');
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  // A client vanishing mid-session (a sender killed or cut off) is routine for a mail server, and smtp-server reports
  // it as an 'error' on the server: without a listener that would throw in whatever process hosts the sink.
  server.on('error', () => {});
  const bound = (server.server.address() as AddressInfo).port;
  const matching = (to?: string) => received.filter((mail) => to === undefined || mail.envelope_to.includes(to));
  return {
    url: `smtp://${host}:${bound}`,
    port: bound,
    messages: (to) => matching(to).map((mail) => ({ ...mail })),
    waitFor({ to, after = 0, timeout_ms = 5_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const mail = matching(to)[after];
          if (!mail) return false;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve({ ...mail });
          return true;
        };
        const wake = () => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no mail${to ? ` to ${to}` : ''} within ${timeout_ms} ms`));
        }, timeout_ms);
        waiters.add(wake);
        check();
      });
    },
    clear() {
      received.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
