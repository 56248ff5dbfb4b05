import type { Server, Socket } from 'node:net';

/** Starts a test relay's server on a free loopback port; `close` cuts every socket it holds and stops listening. */
export async function listenRelay(server: Server, sockets: Set<Socket>): Promise<{ port: number; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the relay has no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
