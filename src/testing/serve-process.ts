import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** The furikae command, as the tests start it. */
const CLI = new URL('../cli/main.ts', import.meta.url).pathname;

/** How long a test waits for a line it expects from a serve process: a cold tsx start and migrations on a busy machine. */
export const SERVE_LINE_WAIT_MS = 120_000;

/** A `furikae serve` process started by a test: its output lines, a wait for one of them, and a stop. */
export interface ServeProcess {
  child: ChildProcess;
  /** Every line it printed so far, stdout and stderr, in order. */
  lines: string[];
  /** The first line (past or future) that `matches`, or a rejection naming what was printed. */
  waitForLine(matches: (line: string) => boolean, timeout_ms?: number): Promise<string>;
  /** Sends `signal` (SIGTERM unless told) and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `furikae <args>` with exactly `env` (plus PATH). */
export function startServeProcess(args: readonly string[], env: NodeJS.ProcessEnv): ServeProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      for (const waiter of waiters) waiter(line);
    });
  }
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    lines,
    waitForLine(matches, timeout_ms = SERVE_LINE_WAIT_MS) {
      const seen = lines.find(matches);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const done = (error?: Error, line?: string) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          if (error) reject(error);
          else resolve(line!);
        };
        const waiter = (line: string) => matches(line) && done(undefined, line);
        const timer = setTimeout(() => done(new Error(`no such line within ${timeout_ms} ms; printed:\n${lines.join('\n')}`)), timeout_ms);
        waiters.add(waiter);
        void exited.then((code) => done(new Error(`exited with ${code} first; printed:\n${lines.join('\n')}`)));
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The JSON log records among a process's lines (pino writes one per line). */
export function logRecords(lines: readonly string[]): Record<string, unknown>[] {
  return lines.flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}
