import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html, raw } from './html.ts';

test('interpolated text is escaped so a name cannot inject markup', () => {
  const name = '<script>alert("x")</script>';
  assert.equal(html`<p>${name}</p>`.toString(), '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>');
});

test('nested html fragments and arrays are kept as markup, and null or false render as nothing', () => {
  const items = ['a&b', 'c'].map((item) => html`<li>${item}</li>`);
  assert.equal(html`<ul>${items}</ul>${null}${false}${raw('<hr>')}`.toString(), '<ul><li>a&amp;b</li><li>c</li></ul><hr>');
});
