/**
 * A TCP relay for tests between the bank and a real PostgreSQL server, which can fail one COMMIT the two ways a
 * network can. Not a fake database: every statement that gets through is executed by PostgreSQL itself.
 *   forward:            relay both ways.
 *   lose_commit_answer: relay the next COMMIT, wait until the server has answered it (so it did commit), then
 *                       cut the connection before the answer reaches the bank: the outcome is unknown to the bank.
 *   cut_before_commit:  cut the connection instead of relaying the next COMMIT: the server rolls back.
 * Both modes fire once and fall back to forward, so the client's retry goes through.
 */
import { connect, createServer, type Socket } from 'node:net';
import { listenRelay } from './listen-relay.ts';

export type PostgresFaultMode = 'forward' | 'lose_commit_answer' | 'cut_before_commit';

export interface PostgresFaultProxy {
  port: number;
  mode: PostgresFaultMode;
  /** How many COMMITs the proxy has failed so far. */
  readonly faults: number;
  close(): Promise<void>;
}

/** The protocol's SSLRequest and GSSENCRequest codes: a startup-phase message the server answers with one byte. */
const ENCRYPTION_REQUEST_CODES = new Set([80877103, 80877104]);

/** Splits the client's byte stream into protocol messages: the untyped startup phase, then type byte + length. */
function messageSplitter(onMessage: (message: Buffer) => void) {
  let buffered = Buffer.alloc(0);
  let startup = true;
  return (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      const header = startup ? 4 : 5;
      if (buffered.length < header) return;
      const length = startup ? buffered.readInt32BE(0) : buffered.readInt32BE(1) + 1;
      if (buffered.length < length) return;
      const message = buffered.subarray(0, length);
      buffered = buffered.subarray(length);
      // After an encryption request (which the server refuses with 'N') the real startup message follows.
      if (startup && !(length === 8 && ENCRYPTION_REQUEST_CODES.has(message.readInt32BE(4)))) startup = false;
      onMessage(message);
    }
  };
}

/** A simple-protocol Query message whose text is COMMIT. */
function isCommit(message: Buffer): boolean {
  return message[0] === 0x51 && /^\s*COMMIT\s*;?\s*$/i.test(message.subarray(5, message.length - 1).toString('utf8'));
}

/** Listens on a free loopback port and relays to `target_port` on 127.0.0.1. */
export async function openPostgresFaultProxy(target_port: number): Promise<PostgresFaultProxy> {
  const sockets = new Set<Socket>();
  let faults = 0;
  const proxy: PostgresFaultProxy = {
    port: 0,
    mode: 'forward',
    get faults() {
      return faults;
    },
    close: async () => undefined,
  };
  const server = createServer((client) => {
    const upstream = connect(target_port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    let swallowing = false;
    client.on('data', messageSplitter((message) => {
      if (isCommit(message) && proxy.mode !== 'forward') {
        const mode = proxy.mode;
        proxy.mode = 'forward';
        faults += 1;
        if (mode === 'cut_before_commit') return cut();
        swallowing = true;
      }
      upstream.write(message);
    }));
    // The server answers a COMMIT only once it is durable: the first byte back is proof it committed.
    upstream.on('data', (chunk) => (swallowing ? cut() : client.write(chunk)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listening = await listenRelay(server, sockets);
  proxy.port = listening.port;
  proxy.close = listening.close;
  return proxy;
}
