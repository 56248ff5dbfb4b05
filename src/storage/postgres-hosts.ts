import type pg from 'pg';
import type { Logger } from '../shared/logger.ts';

/**
 * The libpq `target_session_attrs` the bank understands. The bank writes, so only the modes that can land on a
 * writable server are accepted: `read-write` (the server says `transaction_read_only = off`), `primary` (it is not
 * in recovery) and `any` (the first server that answers, libpq's default).
 */
export const SESSION_TARGETS = ['any', 'read-write', 'primary'] as const;
export type SessionTarget = (typeof SESSION_TARGETS)[number];

/** What a `DATABASE_URL` with one or more hosts says. */
export interface DatabaseHosts {
  /** One single-host URL per host, in the order given, without target_session_attrs (node-postgres reads these). */
  urls: readonly string[];
  /** `host:port` per host, for logs: never the user or password. */
  names: readonly string[];
  target: SessionTarget;
}

/** libpq's port when a host names none. */
const DEFAULT_PORT = 5432;

/** A DATABASE_URL the bank cannot use, with what is wrong (and never the URL itself, which may hold a password). */
export class DatabaseUrlError extends Error {}

/**
 * Reads `postgresql://user@h1:p1,h2:p2/db?target_session_attrs=read-write` as libpq does. node-postgres 8
 * (pg-connection-string) rejects a comma-separated host list as an invalid URL, so the list is split here and each
 * host gets a URL of its own with the same user, database and other parameters.
 */
export function parseDatabaseHosts(url: string): DatabaseHosts {
  const match = /^(postgres(?:ql)?:\/\/)([^@/?#]*@)?([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/.exec(url);
  if (!match) throw new DatabaseUrlError('DATABASE_URL is not a postgres:// URL');
  const [, scheme, userinfo = '', host_list = '', path = '', query = ''] = match;
  const params = new URLSearchParams(query.slice(1));
  const asked = params.get('target_session_attrs') ?? 'any';
  const target = SESSION_TARGETS.find((known) => known === asked);
  if (!target) {
    throw new DatabaseUrlError(`DATABASE_URL's target_session_attrs=${asked} is not one the bank can use (${SESSION_TARGETS.join(', ')}): the bank must write`);
  }
  params.delete('target_session_attrs');
  const rest = `${path}${params.size > 0 ? `?${params.toString()}` : ''}`;
  // An empty list is libpq's "local socket or PGHOST": node-postgres handles that itself, so it stays one host.
  const hosts = host_list.split(',');
  if (hosts.length > 1 && hosts.includes('')) throw new DatabaseUrlError('DATABASE_URL has an empty entry in its host list');
  const names = hosts.map((host) => {
    const bracketed = /^(\[[^\]]+\])(?::(\d+))?$/.exec(host);
    const plain = /^([^:[\]]+)(?::(\d+))?$/.exec(host);
    const parts = bracketed ?? plain;
    if (host !== '' && !parts) throw new DatabaseUrlError(`DATABASE_URL names a host it cannot read: ${JSON.stringify(host.replace(/\d+$/, '…'))}`);
    const port = Number(parts?.[2] ?? DEFAULT_PORT);
    if (!Number.isSafeInteger(port) || port < 1 || port > 65_535) throw new DatabaseUrlError(`DATABASE_URL names a port out of range: ${parts?.[2]}`);
    return host === '' ? 'default' : `${parts![1]}:${port}`;
  });
  return { urls: hosts.map((host) => `${scheme}${userinfo}${host}${rest}`), names, target };
}

/** A server the target refuses, as libpq closes it: the code is read_only_sql_transaction, so it counts as unavailable. */
export class SessionTargetRefusedError extends Error {
  readonly code = '25006';
}

/** Asks a fresh session what libpq asks after connecting, and refuses it if it is not what `target` wants. */
export async function checkSessionTarget(client: pg.ClientBase, target: SessionTarget, host_name: string, timeout_ms: number): Promise<void> {
  if (target === 'read-write') {
    const { rows } = await client.query<{ transaction_read_only: string }>({ text: 'SHOW transaction_read_only', query_timeout: timeout_ms } as pg.QueryConfig);
    if (rows[0]?.transaction_read_only !== 'off') throw new SessionTargetRefusedError(`${host_name} accepts no writes (transaction_read_only is on): not a primary`);
  } else if (target === 'primary') {
    const { rows } = await client.query<{ recovering: boolean }>({ text: 'SELECT pg_is_in_recovery() AS recovering', query_timeout: timeout_ms } as pg.QueryConfig);
    if (rows[0]?.recovering !== false) throw new SessionTargetRefusedError(`${host_name} is in recovery: a standby, not a primary`);
  }
}

/** Which host the next connection tries first. */
export interface HostCursor {
  /** Index of the host the next connection goes to. */
  current(): number;
  /** A connection to host `index` failed or was refused: the next one tries the host after it (once, however many fail at once). */
  failed(index: number, error: unknown): void;
}

/**
 * Starts where the last accepted connection went and moves on in the URL's order when that host fails, wrapping
 * round. libpq starts each connection at the first host; a pool opens many, so it keeps to the host that worked
 * and does not knock on a dead primary's door (up to a connect timeout on a real network) for every new one.
 * Concurrent failures on the same host move the cursor once, so a burst of them does not skip the new primary.
 */
export function createHostCursor(hosts: DatabaseHosts, log?: Logger): HostCursor {
  let index = 0;
  return {
    current: () => index,
    failed(failed_index, error) {
      if (failed_index !== index || hosts.urls.length === 1) return;
      index = (index + 1) % hosts.urls.length;
      // Info, not warn: the breaker warns once per outage, and its probes may walk the hosts many times meanwhile.
      log?.info({ host: hosts.names[failed_index], reason: String((error as Error)?.message ?? error), next_host: hosts.names[index] },
        'a database host failed or is not a primary; new connections try the next host');
    },
  };
}
