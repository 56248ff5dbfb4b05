/**
 * Logs kept in memory for tests that search them, and the search itself: a secret must not show in any encoding a
 * log line could carry it in (bare, JSON-escaped, URL- or form-encoded, percent-encoded byte by byte).
 */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../shared/logger.ts';

/** A logger with the app's redaction at `level` (trace: everything), and the lines it wrote. */
export function captureLogs(level = 'trace'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => void (lines.push(String(chunk)), done()) });
  return { log: createLogger({ level }, sink), lines };
}

/** How many times percent- and JSON-escapes are undone: enough for a value encoded inside an encoded value. */
const DECODING_ROUNDS_MAX = 3;

/** One round of undoing escapes: percent-encoding (form `+` too) and JSON `\uXXXX` escapes, leaving anything malformed as it is. */
function decodeOnce(text: string): string {
  return text
    .replace(/\+/g, ' ')
    .replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    })
    .replace(/\\u([0-9A-Fa-f]{4})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** The line as written, and as read after undoing each layer of escapes in turn. */
function readings(line: string): string[] {
  const found = [line];
  for (let round = 0; round < DECODING_ROUNDS_MAX; round++) {
    const next = decodeOnce(found.at(-1) as string);
    if (next === found.at(-1)) break;
    found.push(next);
  }
  return found;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The lines that carry `secret` in any encoding. The secret must stand alone: not inside a longer run of letters,
 * digits or dashes, so that a 4-digit PIN is not found inside a number, a hash or a UUID's group.
 */
export function linesWithSecret(lines: readonly string[], secret: string): string[] {
  const pattern = new RegExp(`(?<![0-9A-Za-z-])${escapeRegExp(secret)}(?![0-9A-Za-z-])`);
  return lines.filter((line) => readings(line).some((reading) => pattern.test(reading)));
}
