import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderChartSvg } from './chart-svg.ts';

const losses = [
  { month: '2020-07', operator: 'ドコモ口座', yen: 1_200_000 },
  { month: '2020-08', operator: 'ドコモ口座', yen: 9_800_000 },
  { month: '2020-08', operator: 'PayPay', yen: 300_000 },
];

test('a bar chart renders to an SVG document holding its axis titles and a mark per row', async () => {
  const svg = await renderChartSvg({
    data: { values: losses },
    mark: 'bar',
    encoding: { x: { field: 'month', type: 'ordinal', title: 'month' }, y: { field: 'yen', type: 'quantitative', title: 'yen lost' }, color: { field: 'operator' } },
  });
  assert.match(svg, /^<svg /);
  assert.match(svg, /yen lost/);
  assert.match(svg, /ドコモ口座/);
  assert.equal((svg.match(/aria-roledescription="bar"/g) ?? []).length, losses.length);
});

test('the same data give the same SVG', async () => {
  const spec = { data: { values: losses }, mark: 'line' as const, encoding: { x: { field: 'month', type: 'ordinal' as const }, y: { field: 'yen', type: 'quantitative' as const } } };
  assert.equal(await renderChartSvg(spec), await renderChartSvg(spec));
});

test('a spec that names a data URL is refused: charts never load anything', async () => {
  await assert.rejects(
    renderChartSvg({ data: { url: 'http://169.254.169.254/latest' }, mark: 'bar', encoding: { x: { field: 'a', type: 'nominal' } } }),
    /may not load/,
  );
});
