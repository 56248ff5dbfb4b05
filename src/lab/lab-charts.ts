import type { ChartSpec } from '../charts/chart-svg.ts';
import type { RunResult } from './run-scenario.ts';
import { DAY_MS } from './lab-time.ts';

/** Chart width in pixels: two fit side by side on a laptop screen and on A4 in landscape. */
const CHART_WIDTH_PX = 420;
const CHART_HEIGHT_PX = 200;
/** One colour per configuration, the same in every chart: 2020 in the warning red, hardened in the bank's blue. */
const CONFIGURATION_COLOURS: Record<string, string> = { 2020: '#b3261e', hardened: '#0b5d8c' };
const OTHER_COLOURS = ['#6b4fa0', '#1e7b34', '#a15c00', '#5b6b7a'];

function colourScale(runs: readonly RunResult[]) {
  const domain = runs.map((run) => run.configuration);
  let other = 0;
  return { domain, range: domain.map((id) => CONFIGURATION_COLOURS[id] ?? OTHER_COLOURS[other++ % OTHER_COLOURS.length]!) };
}

const dayOf = (run: RunResult, at: string | null) => (at === null ? null : (Date.parse(at) - Date.parse(run.timeline.start)) / DAY_MS);

/** Cumulative yen stolen over simulated time, one line per configuration. */
export function stolenOverTimeChart(runs: readonly RunResult[]): ChartSpec {
  return {
    width: CHART_WIDTH_PX, height: CHART_HEIGHT_PX,
    title: 'Yen stolen over simulated time',
    data: { values: runs.flatMap((run) => run.measures.theft.stolen_series.map((point) => ({ configuration: run.configuration, day: point.day, yen: point.yen }))) },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
    encoding: {
      x: { field: 'day', type: 'quantitative', title: 'simulated day' },
      y: { field: 'yen', type: 'quantitative', title: 'yen stolen (cumulative)', axis: { format: ',.0f' } },
      color: { field: 'configuration', type: 'nominal', scale: colourScale(runs), title: 'configuration' },
    },
  };
}

/** When the attack started, first stole, first raised a staff alert, and was contained, per configuration. */
export function detectionTimelineChart(runs: readonly RunResult[]): ChartSpec {
  const events = runs.flatMap((run) => {
    const theft = run.measures.theft;
    return ([
      ['1 first attempt', theft.first_attempt_at],
      ['2 first theft', theft.first_theft_at],
      ['3 first staff alert', theft.first_alert_at],
      ['4 contained', theft.contained_at],
    ] as const).flatMap(([event, at]) => (at === null ? [] : [{ configuration: run.configuration, event, day: dayOf(run, at) }]));
  });
  const spans = runs.map((run) => ({ configuration: run.configuration, from: 0, to: run.timeline.days }));
  return {
    width: CHART_WIDTH_PX, height: Math.max(80, 50 * runs.length),
    title: 'Detection timeline',
    layer: [
      { data: { values: spans }, mark: { type: 'rule', color: '#d9e1e8', strokeWidth: 6 }, encoding: { y: { field: 'configuration', type: 'nominal', title: null }, x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' } } },
      {
        data: { values: events },
        mark: { type: 'point', filled: true, size: 140, opacity: 0.9 },
        encoding: {
          y: { field: 'configuration', type: 'nominal', title: null },
          x: { field: 'day', type: 'quantitative', title: 'simulated day' },
          shape: { field: 'event', type: 'nominal', title: 'event', scale: { domain: ['1 first attempt', '2 first theft', '3 first staff alert', '4 contained'], range: ['circle', 'cross', 'triangle-up', 'square'] } },
          color: { field: 'event', type: 'nominal', title: 'event', scale: { domain: ['1 first attempt', '2 first theft', '3 first staff alert', '4 contained'], range: ['#5b6b7a', '#b3261e', '#a15c00', '#1e7b34'] } },
        },
      },
    ],
  } as ChartSpec;
}

/** Honest customers' charges challenged, held and denied, in percent, per group and configuration, with the targets as lines. */
export function frictionChart(runs: readonly RunResult[], targets: { challenged_pct: number; denied_pct: number }): ChartSpec {
  const bars = runs.flatMap((run) => run.measures.friction.flatMap((group) => [
    { configuration: run.configuration, group: group.group, measure: 'challenged', pct: group.challenged_pct },
    { configuration: run.configuration, group: group.group, measure: 'held', pct: group.held_pct },
    { configuration: run.configuration, group: group.group, measure: 'denied', pct: group.denied_pct },
  ]));
  const lines = [{ measure: 'challenged', target: targets.challenged_pct }, { measure: 'denied', target: targets.denied_pct }];
  const top = Math.max(targets.challenged_pct * 1.25, ...bars.map((bar) => bar.pct));
  return {
    title: "Honest customers' charges challenged, held, denied (%), targets as lines",
    data: { values: [...bars, ...lines] },
    facet: { column: { field: 'measure', type: 'nominal', title: null, sort: ['challenged', 'held', 'denied'] } },
    spec: {
      width: 150, height: CHART_HEIGHT_PX,
      layer: [
        {
          transform: [{ filter: 'isValid(datum.group)' }],
          mark: 'bar',
          encoding: {
            x: { field: 'group', type: 'nominal', title: 'group' },
            xOffset: { field: 'configuration', type: 'nominal' },
            y: { field: 'pct', type: 'quantitative', title: '% of their charges', scale: { domain: [0, top] } },
            color: { field: 'configuration', type: 'nominal', scale: colourScale(runs), title: 'configuration' },
          },
        },
        {
          transform: [{ filter: 'isValid(datum.target)' }],
          mark: { type: 'rule', color: '#a15c00', strokeDash: [4, 3], strokeWidth: 1.5 },
          encoding: { y: { field: 'target', type: 'quantitative' } },
        },
      ],
    },
  } as ChartSpec;
}

/** What stopped the attackers: attempts (links and charges) refused or voided, per control and configuration. */
export function caughtByChart(runs: readonly RunResult[]): ChartSpec {
  const values = runs.flatMap((run) => run.measures.theft.caught_by.map((tally) => ({ configuration: run.configuration, control: tally.control, attempts: tally.links + tally.charges })));
  return {
    width: CHART_WIDTH_PX, height: { step: 14 },
    title: 'What stopped the attackers (attempts)',
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'control', type: 'nominal', title: null, sort: '-x' },
      yOffset: { field: 'configuration', type: 'nominal' },
      x: { field: 'attempts', type: 'quantitative', title: 'links and charges stopped' },
      color: { field: 'configuration', type: 'nominal', scale: colourScale(runs), title: 'configuration' },
    },
  } as ChartSpec;
}
