import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The bench's bank process, listening: where it answers, its link tokens, and how to stop it. */
export interface BenchServerProcess {
  url: string;
  tokens: string[];
  stop(): Promise<void>;
}

/**
 * Starts src/bench/bench-server.ts in its own process (so the load generator does not share its event loop) with
 * `env` added to this process's, and resolves once it has printed its ready line.
 */
export async function startBenchServerProcess(env: Record<string, string>): Promise<BenchServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./bench-server.ts', import.meta.url).pathname], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise<{ url: string; tokens: string[] }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    // The bank's own log lines (pino, on stdout) may come first: the ready line is the one carrying the tokens.
    lines.on('line', (line) => {
      const parsed = (() => { try { return JSON.parse(line) as { url?: string; tokens?: string[] }; } catch { return undefined; } })();
      if (parsed?.url && Array.isArray(parsed.tokens)) resolve(parsed as { url: string; tokens: string[] });
    });
  });
  return { ...ready, stop: () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); }) };
}
