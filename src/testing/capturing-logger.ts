import { Writable } from 'node:stream';
import { pino } from 'pino';
import { REDACTED_PATHS, type Logger } from '../shared/logger.ts';

/** A logger as the process has it (same redaction), whose JSON lines a test can read back. */
export function capturingLogger(level = 'info'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
  return { log: pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, stream), lines };
}
