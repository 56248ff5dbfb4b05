// @ts-check
/**
 * A node:test reporter for scripts/test.ts: writes one JSON line per skipped or to-do test or suite (with its file
 * and the reason given), then one line with the run's counts. The runner reads it to print what was skipped and,
 * under CI=true, to fail the run on any skip. Plain JavaScript because node loads reporters before `--import tsx`
 * can teach it TypeScript.
 *
 * node counts a skipped suite as nothing at all (its tests never register), so suites are reported here too:
 * without that, a whole backend skipped would not show in the counts.
 */

/** @param {AsyncIterable<{ type: string, data: any }>} source */
export default async function* skipReporter(source) {
  /** @type {Record<string, number>} */
  const counts = {};
  for await (const event of source) {
    if (event.type === 'test:pass' || event.type === 'test:fail') {
      const { name, file, skip, todo, details } = event.data;
      const kind = details?.type === 'suite' ? 'suite' : 'test';
      if (skip !== undefined && skip !== false) yield `${JSON.stringify({ outcome: 'skipped', kind, name, file, reason: skip === true ? '' : String(skip) })}\n`;
      else if (todo !== undefined && todo !== false) yield `${JSON.stringify({ outcome: 'todo', kind, name, file, reason: todo === true ? '' : String(todo) })}\n`;
    } else if (event.type === 'test:diagnostic' && event.data.nesting === 0) {
      // The closing diagnostics read "tests 526", "pass 520", "skipped 0", …
      const match = /^(tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(event.data.message);
      if (match) counts[match[1] ?? ''] = Number(match[2]);
    }
  }
  yield `${JSON.stringify({ counts })}\n`;
}
