import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort } from './free-port.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PostgreSQL cluster made for one test run in a temp folder, on a free port. */
export interface ThrowawayCluster {
  url: string;
  /** Stops the server at once and deletes its folder. */
  stop(): void;
  /** Stops the server as an operator would (`pg_ctl stop -m fast`: sessions are told 57P01 and closed), keeping its data. */
  shutdown(): void;
  /** Starts a shut-down server again, on the same port and data. */
  start(): void;
  /** SIGSTOPs the postmaster and every backend: a hung server, whose sockets stay open and say nothing. */
  pause(): void;
  /** SIGCONTs what pause() stopped. */
  resume(): void;
  /** Resumes and starts the server if a test left it paused or shut down, so one failed test does not fail the next. */
  restore(): void;
}

/** The postmaster's pid, from the first line of postmaster.pid. */
export function postmasterPid(data: string): number {
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new Error('postmaster.pid holds no pid');
  return pid;
}

/** The pids whose parent is `pid` (the postmaster's backends and helpers), read from /proc. */
export function childPids(pid: number): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((name) => {
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may hold spaces, so split after it.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid ? [Number(name)] : [];
    } catch {
      return [];
    }
  });
}

/** Finds the system's initdb/pg_ctl (Debian keeps them off PATH), newest version first. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const bin = join(root, version, 'bin');
      if (existsSync(join(bin, 'initdb'))) return bin;
    }
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  return which.status === 0 ? join(which.stdout.trim(), '..') : undefined;
}

/** Runs one of PostgreSQL's tools from `bin`; initdb and the server refuse root, so as root they run as `postgres`. */
export function postgresToolRunner(bin: string): (tool: string, args: string[]) => Buffer {
  const asRoot = process.getuid?.() === 0;
  return (tool, args) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], { stdio: 'pipe' })
      : execFileSync(join(bin, tool), args, { stdio: 'pipe' });
}

/** Starts a throwaway cluster with trust auth on 127.0.0.1. initdb refuses root, so as root it runs as `postgres`. */
export async function startThrowawayCluster(bin: string): Promise<ThrowawayCluster> {
  const folder = mkdtempSync(join(tmpdir(), 'furikae-pg-'));
  chmodSync(folder, 0o777);
  const data = join(folder, 'data');
  const port = await freePort();
  const run = postgresToolRunner(bin);
  run('initdb', ['-D', data, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C.UTF-8']);
  const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=200`;
  const start = () => run('pg_ctl', ['-D', data, '-o', options, '-l', join(folder, 'log'), '-w', 'start']);
  start();
  let paused: number[] = [];
  const resume = () => {
    for (const pid of paused) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // A backend that was killed meanwhile needs no waking.
      }
    }
    paused = [];
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        resume();
        if (existsSync(join(data, 'postmaster.pid'))) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
    shutdown: () => void run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    start: () => void start(),
    pause() {
      const postmaster = postmasterPid(data);
      // The postmaster first, so it forks no new backend that would escape the stop.
      process.kill(postmaster, 'SIGSTOP');
      paused = [postmaster, ...childPids(postmaster)];
      for (const pid of paused.slice(1)) process.kill(pid, 'SIGSTOP');
    },
    resume,
    restore() {
      resume();
      if (!existsSync(join(data, 'postmaster.pid'))) start();
    },
  };
}

/** Creates an empty database on the server at `adminUrl` (replacing one of that name) and returns its URL. */
export async function createFreshDatabase(adminUrl: string, name = `t_${randomBytes(6).toString('hex')}`): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${name}`);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
