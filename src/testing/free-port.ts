import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Ports handed out start here: above the well-known and most registered services' ports. */
const PORT_MIN = 10_000;
const ATTEMPTS_MAX = 50;
/** Linux's default first ephemeral port, used when the kernel's setting cannot be read. */
const EPHEMERAL_PORT_MIN_DEFAULT = 32_768;

/**
 * The first port of the kernel's ephemeral range (Linux: 32768 unless set), from which it picks a port for every
 * `listen(0)` and every outgoing connection. A port handed out from that range can be taken by either between the
 * moment it is found free and the moment its server binds it: a listener of the demo's own on port 0 (its mail sink
 * or its metrics listener) took a wallet's port that way, and the wallet failed with EADDRINUSE.
 */
export function ephemeralPortMin(rangeFile = '/proc/sys/net/ipv4/ip_local_port_range'): number {
  try {
    const low = Number(readFileSync(rangeFile, 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : EPHEMERAL_PORT_MIN_DEFAULT;
  } catch {
    return EPHEMERAL_PORT_MIN_DEFAULT;
  }
}

/** Resolves true when nothing listens on 127.0.0.1:`port` (checked by binding it and letting it go). */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now, chosen at random below the kernel's ephemeral range, so
 * that no port-0 listener or outgoing connection can take it before the caller binds it. Two processes choosing at
 * the same moment collide with a chance of about one in 20,000.
 */
export async function freePort(): Promise<number> {
  const max = ephemeralPortMin();
  if (max - PORT_MIN < 1_000) throw new Error(`the ephemeral port range starts at ${max}: no room below it for test ports`);
  for (let attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
    const port = PORT_MIN + Math.floor(Math.random() * (max - PORT_MIN));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${PORT_MIN} and ${max} after ${ATTEMPTS_MAX} tries`);
}
