import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { testBackends } from '../testing/test-databases.ts';
import { OPERATOR_ERROR_CODES } from '../errors/operator-error-codes.ts';
import { OPERATION_ERROR_CODES } from './operator-api-errors.ts';
import { browserSkip, launchBrowser, screenshotPath, visit } from '../testing/browser.ts';

interface Operation { tags?: string[]; summary?: string; responses: Record<string, { description: string; content?: Record<string, { examples?: Record<string, unknown> }> }> }
interface Document { info: { description: string }; tags: Array<{ name: string; description: string }>; paths: Record<string, Record<string, Operation>>; components: { schemas?: Record<string, unknown> } }

// The document is the same on either backend: PGlite alone, to keep the suite short.
const backend = testBackends.find((candidate) => candidate.name === 'pglite')!;

describe('the OpenAPI document at /openapi.json (shown at /docs)', { skip: backend.skip }, () => {
  let fixture: BankFixture;
  let document: Document;
  let text: string;

  before(async () => {
    fixture = await createBankFixture(backend);
    const answer = await fixture.bank.app.inject({ url: '/openapi.json' });
    assert.equal(answer.statusCode, 200);
    text = answer.body;
    document = JSON.parse(text) as Document;
  });
  after(() => fixture?.close());

  const operations = () => Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));

  test('documents the operator API only: no customer, staff, interaction, demo or health page', async () => {
    const paths = Object.keys(document.paths);
    assert.deepEqual(operations().map(({ path, method }) => `${method} ${path}`).sort(), Object.keys(OPERATION_ERROR_CODES).sort(), 'the operator API, all of it');
    assert.deepEqual(paths.filter((path) => !path.startsWith('/v1/')), []);
    // The app does have page routes: hiding them is what this test is about.
    assert.equal((await fixture.bank.app.inject({ url: '/bank/login' })).statusCode, 200);
    assert.equal((await fixture.bank.app.inject({ url: '/staff/login' })).statusCode, 200);
  });

  test('gives every operation a tag the document describes, a summary, and every error code it can answer', () => {
    const described = new Set(document.tags.map((tag) => tag.name));
    for (const { path, method, operation } of operations()) {
      const name = `${method.toUpperCase()} ${path}`;
      assert.ok(operation.tags?.length, `${name} has a tag`);
      for (const tag of operation.tags!) assert.ok(described.has(tag), `${name}: tag ${tag} is described`);
      assert.ok(operation.summary, `${name} has a summary`);
      const codes = OPERATION_ERROR_CODES[`${method} ${path}`];
      assert.ok(codes, `${name} lists its error codes in src/http/operator-api-errors.ts`);
      for (const code of codes) {
        const listed = Object.values(operation.responses).some((response) => Object.keys(response.content?.['application/problem+json']?.examples ?? {}).includes(code));
        assert.ok(listed, `${name} shows ${code} with an example`);
      }
    }
  });

  test('in Chromium, /docs shows the operator API in its groups and no "default" group of pages', { skip: browserSkip }, async () => {
    const url = await fixture.bank.app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
      await visit(page, `${url}/docs`);
      await page.waitForSelector('.opblock-tag');
      const groups = await page.locator('.opblock-tag').evaluateAll((tags) => tags.map((tag) => tag.getAttribute('data-tag')));
      assert.deepEqual(groups, ['links', 'charges', 'refunds', 'webhooks']);
      assert.equal(await page.locator('.opblock').count(), Object.keys(OPERATION_ERROR_CODES).length);
      await page.screenshot({ path: screenshotPath('api-docs'), fullPage: true });
    } finally {
      await browser.close();
    }
  });

  test('shows every code an operator can receive, and its problem schema resolves', () => {
    for (const code of OPERATOR_ERROR_CODES) assert.ok(text.includes(`\`${code}\``), `${code} appears in the document`);
    assert.ok(document.components.schemas?.Problem, 'the Problem schema the error responses refer to');
  });
});
