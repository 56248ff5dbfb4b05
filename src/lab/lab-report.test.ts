import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderLabReport } from './lab-report.ts';
import { labResultsFixture } from './lab-results-fixture.ts';

test("the report counts the thieves' tries at the approval page by outcome, and shows a dash where there were none", async () => {
  const results = labResultsFixture();
  const [legacy, hardened] = results.runs;
  hardened!.measures.theft.step_up_answers = { new_link_cooling_off: 5, victim_left_fake_page: 2 };
  delete legacy!.measures.theft.step_up_answers;
  const page = await renderLabReport(results);
  const row = /<tr><th>thieves at the approval page \(outcome × times\)<\/th>(.*?)<\/tr>/s.exec(page)?.[1];
  assert.ok(row, 'the side-by-side table has the row');
  assert.match(row, /<td>—<\/td><td>new_link_cooling_off × 5, victim_left_fake_page × 2<\/td>/);
});
