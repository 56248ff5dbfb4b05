/**
 * Charts for reports and console pages, drawn by Vega-Lite and rendered to SVG on the server. A page or a report
 * file embeds the SVG as it is: no script in the browser, nothing fetched, printable, and the same data gives the
 * same picture.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A Vega-Lite specification whose data are given inline (`data.values`): a chart never loads anything. */
export type ChartSpec = TopLevelSpec;

/** Vega's loader, refusing every URL: specs carry their data inline, so a request for a file or address is a bug. */
const noLoading = vega.loader({ mode: 'http' });
noLoading.load = async (uri: string) => {
  throw new Error(`a chart may not load ${uri}: give its data inline`);
};

/** Renders a Vega-Lite spec to an SVG document (a string starting with `<svg`). */
export async function renderChartSvg(spec: ChartSpec): Promise<string> {
  // Vega logs a failed data load and draws an empty chart; a report must fail instead of showing nothing.
  const errors: unknown[] = [];
  const logger = vega.logger(vega.Warn);
  const warn = logger.warn.bind(logger);
  logger.error = (...args: readonly unknown[]) => {
    errors.push(args[0]);
    return logger;
  };
  // A refused load arrives as a warning ("Loading failed …"). An empty extent is a chart with no data yet (a report
  // before any loss): it draws empty axes, as it should, and is not worth a line on the console.
  logger.warn = (...args: readonly unknown[]) => {
    const message = String(args[0]);
    if (message.startsWith('Loading failed')) errors.push(args.map(String).join(' '));
    else if (!message.startsWith('Infinite extent')) warn(...args);
    return logger;
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none', loader: noLoading, logger });
  try {
    const svg = await view.toSVG();
    if (errors.length > 0) throw new Error(`the chart did not render: ${errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')}`);
    return svg;
  } finally {
    view.finalize();
  }
}
