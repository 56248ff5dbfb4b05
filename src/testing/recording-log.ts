import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../shared/logger.ts';

/** One line of a JSON log, as written. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A pino logger (info unless told) whose lines the test reads back from `lines`; await `flushed()` before reading. */
export function recordingLog(level = 'info'): { log: Logger; lines: LogLine[]; flushed(): Promise<void> } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as LogLine);
      done();
    },
  });
  return { log: pino({ level }, stream), lines, flushed: () => new Promise((resolve) => setImmediate(resolve)) };
}
