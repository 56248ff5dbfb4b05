/** Width of the bar in characters: fits an 80-column terminal with the counts beside it. */
const BAR_WIDTH = 30;

/**
 * A progress bar on a stream: redrawn in place on a terminal, and on anything else (a log file, CI) one line per
 * tenth so the output stays readable.
 */
export function createProgressBar(stream: NodeJS.WriteStream, label: string) {
  let lastTenth = -1;
  return {
    update(done: number, total: number, detail: string): void {
      const fraction = total === 0 ? 1 : Math.min(1, done / total);
      const filled = Math.round(fraction * BAR_WIDTH);
      const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${done}/${total} ${detail}`;
      if (stream.isTTY) {
        stream.write(`\r${line}\u001b[K`);
        if (done >= total) stream.write('\n');
        return;
      }
      const tenth = Math.floor(fraction * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        stream.write(`${line}\n`);
      }
    },
  };
}
