#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx furikae …` works without a build step, with the process environment
// furikae is meant to start with (bin/process-env.js). Signals reach the CLI, and its exit is this command's exit.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { withFurikaeProcessEnv } from './process-env.js';

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const child = spawn(process.execPath, ['--import', 'tsx', main, ...process.argv.slice(2)], { stdio: 'inherit', env: withFurikaeProcessEnv(process.env) });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
