import { renderChartSvg, type ChartSpec } from '../charts/chart-svg.ts';
import type { IncidentReport } from './incident-report.ts';

/** Chart size in CSS pixels: the width of an A4 page's text column, so a printed report needs no scaling. */
const CHART_WIDTH_PX = 620;
const CHART_HEIGHT_PX = 240;
/** A font every machine that prints the report has for Japanese names, falling back to the system's sans-serif. */
const CHART_FONT = '"Hiragino Sans", "Noto Sans JP", "IPAPGothic", sans-serif';

const CONFIG = {
  font: CHART_FONT,
  axis: { labelFontSize: 11, titleFontSize: 11, grid: true, gridColor: '#e6eaee' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom' },
  view: { stroke: null },
} as const;

/** What the report's charts are drawn from. */
export interface ReportCharts {
  losses_by_month: string;
  compensation_progress: string;
}

/** Losses per Japan month, stacked by operator. */
function lossesSpec(report: IncidentReport): ChartSpec {
  return {
    width: CHART_WIDTH_PX, height: CHART_HEIGHT_PX, config: CONFIG,
    title: { text: '月別被害額（事業者別） Losses per month by operator', fontSize: 13, anchor: 'start' },
    data: { values: report.by_month_and_operator.map((row) => ({ month: row.month, operator: row.operator, yen: row.lost_yen })) },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'month', type: 'ordinal', title: '月 month (JST)', axis: { labelAngle: 0 } },
      y: { field: 'yen', type: 'quantitative', title: '被害額 yen lost', axis: { format: ',d' } },
      color: { field: 'operator', type: 'nominal', title: '事業者 operator' },
      tooltip: [{ field: 'month' }, { field: 'operator' }, { field: 'yen', format: ',d' }],
    },
  };
}

/** Per operator: how much of the loss is paid back, approved, proposed, refunded by the operator, or still open. */
function progressSpec(report: IncidentReport): ChartSpec {
  const stages = [
    { stage: '1 支払済 paid', order: 1 }, { stage: '2 承認済 approved', order: 2 }, { stage: '3 起案中 proposed', order: 3 },
    { stage: '4 返金済 refunded', order: 4 }, { stage: '5 未対応 not yet proposed', order: 5 },
  ];
  const values = report.by_operator.flatMap((row) => {
    const compensation = report.compensation.by_operator.find((c) => c.operator === row.label);
    const paid = row.compensated_yen;
    const approved = compensation?.approved_yen ?? 0;
    const proposed = compensation?.proposed_yen ?? 0;
    const open = Math.max(0, row.lost_yen - row.refunded_yen - paid - approved - proposed);
    return [[paid, 0], [approved, 1], [proposed, 2], [row.refunded_yen, 3], [open, 4]].map(([yen, index]) => ({
      operator: row.label, stage: stages[index!]!.stage, order: stages[index!]!.order, yen: yen!,
    }));
  });
  return {
    width: CHART_WIDTH_PX, height: Math.max(80, 36 * report.by_operator.length), config: CONFIG,
    title: { text: '補償の進捗（事業者別） Compensation progress by operator', fontSize: 13, anchor: 'start' },
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'operator', type: 'nominal', title: null },
      x: { field: 'yen', type: 'quantitative', title: '円 yen', stack: 'zero', axis: { format: ',d' } },
      color: {
        field: 'stage', type: 'nominal', title: null,
        scale: { domain: stages.map((s) => s.stage), range: ['#1e7b34', '#7fb98b', '#f2c14e', '#9aa8b6', '#b3261e'] },
      },
      order: { field: 'order', type: 'quantitative' },
      tooltip: [{ field: 'operator' }, { field: 'stage' }, { field: 'yen', format: ',d' }],
    },
  };
}

/** Renders both of the report's charts to SVG on the server. */
export async function renderReportCharts(report: IncidentReport): Promise<ReportCharts> {
  const [losses_by_month, compensation_progress] = await Promise.all([renderChartSvg(lossesSpec(report)), renderChartSvg(progressSpec(report))]);
  return { losses_by_month, compensation_progress };
}
