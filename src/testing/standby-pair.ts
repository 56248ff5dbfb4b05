/**
 * A PostgreSQL primary and a synchronous streaming standby on this machine, made with the real tools (initdb,
 * pg_basebackup -R with a replication slot, synchronous_standby_names), for failover drills: the primary can be
 * killed with SIGKILL as a machine dies, and the standby promoted with `pg_ctl promote`.
 */
import { appendFileSync, chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from './free-port.ts';
import { childPids, postgresToolRunner, postmasterPid } from './postgres-cluster.ts';

/** The name the standby's WAL receiver reports (its cluster_name), which the primary's synchronous_standby_names lists. */
export const STANDBY_NAME = 'furikae_standby';
/** How long the pair may take to show the standby streaming in sync: a loaded 2-core machine takes seconds. */
const STANDBY_SYNC_TIMEOUT_MS = 30_000;
const POLL_MS = 50;

/** What the primary's commits wait for: `on` (the standby has the WAL on disk), `remote_apply` (and replayed it), or `local` (nothing: the loss a drill must catch). */
export type SynchronousCommit = 'on' | 'remote_apply' | 'local';

/** A primary and its synchronous standby, each on its own loopback port, in one temp folder. */
export interface StandbyPair {
  primary_port: number;
  standby_port: number;
  /** `postgresql://…@primary,standby/<database>?target_session_attrs=read-write`: the URL a bank is given. */
  url(database?: string): string;
  /** A URL straight to one server (the `postgres` database unless told). */
  direct_url(server: 'primary' | 'standby', database?: string): string;
  /** SIGKILLs the primary's postmaster and every process it started, as a machine that dies: nothing is flushed or said goodbye. */
  killPrimary(): void;
  /** `pg_ctl promote -w` on the standby: it leaves recovery and accepts writes. */
  promoteStandby(): void;
  /** `pg_ctl stop -m fast` on the standby: it receives nothing until started again (and then only from a live primary). */
  stopStandby(): void;
  startStandby(): void;
  /** Stops whatever still runs at once and deletes the folder; also done when the process exits. */
  stop(): void;
}

/** Settings both servers share: loopback only, durable commits, room for a bank's pools and a test's clients. */
function commonSettings(port: number, folder: string): string {
  return [
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${folder}'`,
    'fsync = on',
    'max_connections = 200',
    'wal_level = replica',
    'max_wal_senders = 4',
    'max_replication_slots = 4',
  ].join('\n');
}

/** SIGKILLs a postmaster and its children; stopped first, so it forks nothing that escapes (its children then go to init). */
function killServer(data: string): void {
  if (!existsSync(join(data, 'postmaster.pid'))) return;
  let postmaster: number;
  try {
    postmaster = postmasterPid(data);
    process.kill(postmaster, 'SIGSTOP');
  } catch {
    return; // Already gone.
  }
  for (const pid of [postmaster, ...childPids(postmaster)]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Exited on its own meanwhile.
    }
  }
}

/** Polls `check` until it holds, or fails naming `what`. */
async function waitFor(what: string, check: () => Promise<boolean>, timeout_ms: number): Promise<void> {
  const deadline = performance.now() + timeout_ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (performance.now() > deadline) throw new Error(`standby pair: timed out after ${timeout_ms} ms waiting until ${what}`);
    await sleep(POLL_MS);
  }
}

async function queryOnce<Row extends pg.QueryResultRow>(url: string, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Builds the pair: initdb the primary with `synchronous_standby_names` naming the standby, `pg_basebackup -R -C -S`
 * the standby from it (a replication slot, so the primary keeps the WAL the standby has not had), start both,
 * and wait until the primary reports the standby `sync`. The promoted standby runs without a synchronous
 * standby of its own (`synchronous_standby_names` empty), or its first commit would wait for a standby that does
 * not exist: after a real failover the operator attaches a new standby (docs/scaling.md).
 */
export async function startStandbyPair(bin: string, { synchronous_commit = 'on' }: { synchronous_commit?: SynchronousCommit } = {}): Promise<StandbyPair> {
  const folder = mkdtempSync(join(tmpdir(), 'furikae-pair-'));
  chmodSync(folder, 0o777);
  const primary = join(folder, 'primary');
  const standby = join(folder, 'standby');
  const run = postgresToolRunner(bin);
  let stopped = false;
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    for (const signal of signals) process.off(signal, onSignal);
    killServer(standby);
    killServer(primary);
    rmSync(folder, { recursive: true, force: true });
  };
  // Cleans up, then lets the signal do what it would have done.
  function onSignal(signal: NodeJS.Signals) {
    stop();
    process.kill(process.pid, signal);
  }
  // A test that crashes or is interrupted must not leave two postmasters behind (they run detached, as `postgres`).
  process.on('exit', stop);
  for (const signal of signals) process.once(signal, onSignal);
  try {
    const primary_port = await freePort();
    const standby_port = await freePort();
    run('initdb', ['-D', primary, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C.UTF-8']);
    appendFileSync(join(primary, 'postgresql.conf'), `\n${commonSettings(primary_port, folder)}\nsynchronous_commit = ${synchronous_commit}\nsynchronous_standby_names = '${STANDBY_NAME}'\n`);
    run('pg_ctl', ['-D', primary, '-l', join(folder, 'primary.log'), '-w', 'start']);
    // initdb's pg_hba.conf trusts replication connections from 127.0.0.1, which is all pg_basebackup needs here.
    run('pg_basebackup', ['-d', `host=127.0.0.1 port=${primary_port} user=postgres`, '-D', standby, '-R', '-X', 'stream', '-C', '-S', 'furikae_standby_slot', '--checkpoint=fast']);
    // Later lines win: the standby takes its own port, reports its name, and, once promoted, waits for no one.
    appendFileSync(join(standby, 'postgresql.conf'), `\n${commonSettings(standby_port, folder)}\ncluster_name = '${STANDBY_NAME}'\nsynchronous_standby_names = ''\nhot_standby = on\n`);
    run('pg_ctl', ['-D', standby, '-l', join(folder, 'standby.log'), '-w', 'start']);
    const direct_url = (server: 'primary' | 'standby', database = 'postgres') =>
      `postgres://postgres@127.0.0.1:${server === 'primary' ? primary_port : standby_port}/${database}`;
    await waitFor('the primary reports the standby streaming in sync', async () => {
      const rows = await queryOnce<{ sync_state: string; state: string }>(direct_url('primary'),
        `SELECT sync_state, state FROM pg_stat_replication WHERE application_name = '${STANDBY_NAME}'`);
      return rows[0]?.state === 'streaming' && rows[0].sync_state === 'sync';
    }, STANDBY_SYNC_TIMEOUT_MS);
    return {
      primary_port,
      standby_port,
      url: (database = 'postgres') =>
        `postgresql://postgres@127.0.0.1:${primary_port},127.0.0.1:${standby_port}/${database}?target_session_attrs=read-write`,
      direct_url,
      killPrimary: () => killServer(primary),
      promoteStandby: () => void run('pg_ctl', ['-D', standby, '-w', 'promote']),
      stopStandby: () => void run('pg_ctl', ['-D', standby, '-m', 'fast', '-w', 'stop']),
      startStandby: () => void run('pg_ctl', ['-D', standby, '-l', join(folder, 'standby.log'), '-w', 'start']),
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}
