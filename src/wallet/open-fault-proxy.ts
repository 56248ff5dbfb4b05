/**
 * A TCP relay for tests that puts network faults between the wallet and the real bank. Not a fake bank:
 * every byte that gets through is answered by the bank itself.
 *   forward:        relay both ways.
 *   refuse:         drop the connection at once, as when the bank is down (the bank never sees the request).
 *   lose_response:  relay the request, then cut the line when the bank starts answering, as when a reply
 *                   is lost after the bank acted: the case idempotency keys exist for.
 */
import { createServer, connect, type Socket } from 'node:net';
import { listenRelay } from '../testing/listen-relay.ts';

export type FaultMode = 'forward' | 'refuse' | 'lose_response';

export interface FaultProxy {
  port: number;
  mode: FaultMode;
  close(): Promise<void>;
}

/** Listens on a free loopback port and relays to 127.0.0.1:`target_port` according to `mode`. */
export async function openFaultProxy(target_port: number): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const proxy: FaultProxy = { port: 0, mode: 'forward', close: async () => undefined };
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (proxy.mode === 'refuse') return void client.destroy();
    const upstream = connect(target_port, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    const cut = () => {
      upstream.destroy();
      client.destroy();
    };
    // The mode is read per chunk, not per connection: fetch keeps connections alive across requests.
    client.on('data', (chunk) => (proxy.mode === 'refuse' ? cut() : upstream.write(chunk)));
    upstream.on('data', (chunk) => (proxy.mode === 'forward' ? client.write(chunk) : cut()));
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', () => upstream.destroy());
  });
  const listening = await listenRelay(server, sockets);
  proxy.port = listening.port;
  proxy.close = listening.close;
  return proxy;
}
