/**
 * Text PostgreSQL cannot store, found before it gets there. `text` and `jsonb` refuse U+0000, and a UTF-16 surrogate
 * without its pair has no UTF-8 form: `text` silently stores U+FFFD in its place, `jsonb` refuses it. Either, met
 * inside a shared transaction, fails everything in it; so the HTTP layer refuses such input with 400 before any
 * handler runs (src/http/unstorable-input-guard.ts).
 */

/** A lone high or low surrogate: half of a pair, which UTF-8 cannot encode. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why PostgreSQL cannot store `text`, or undefined if it can. */
export function unstorableReason(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'contains an unpaired UTF-16 surrogate (not valid Unicode text)';
  return undefined;
}

/** Where in a value PostgreSQL cannot store a string, and why. */
export interface UnstorableText {
  /** A JSON-pointer-like path to the string or object key, e.g. `/items/0/name`. */
  path: string;
  reason: string;
}

/**
 * The first string or object key anywhere in `value` (nested objects and arrays, as parsed JSON or a form) that
 * PostgreSQL cannot store, or undefined. Walks with its own stack, so a deeply nested body cannot overflow the
 * call stack; byte buffers (uploaded files) are not text and are skipped.
 */
export function findUnstorableText(value: unknown): UnstorableText | undefined {
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      const reason = unstorableReason(current);
      if (reason) return { path, reason };
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => stack.push({ value: item, path: `${path}/${index}` }));
    } else if (typeof current === 'object' && current !== null && !ArrayBuffer.isView(current) && !(current instanceof ArrayBuffer)) {
      for (const [key, item] of Object.entries(current)) {
        const reason = unstorableReason(key);
        if (reason) return { path: `${path}/${key.replace(/\u0000/g, '\\u0000')}`, reason: `has a key that ${reason}` };
        stack.push({ value: item, path: `${path}/${key}` });
      }
    }
  }
  return undefined;
}
