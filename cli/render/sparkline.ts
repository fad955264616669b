/** One-line charts of recent values, as in `adasa list`: ▁▂▃▄▅▆▇█. Pure. */

const BARS = "▁▂▃▄▅▆▇█";

/** Options of a sparkline. */
export interface SparklineOptions {
  /** Keep the last `width` values; default all. */
  width?: number;
  /** Lower end of the scale; default 0 so that a flat idle line stays low. */
  min?: number;
  /** Upper end of the scale; default the largest value. */
  max?: number;
}

/** Renders values as bars; a null (no sample) is a space. */
export function sparkline(
  values: readonly (number | null)[],
  options: SparklineOptions = {},
): string {
  const shown = options.width === undefined ? values : values.slice(-options.width);
  const numbers = shown.filter((v): v is number => v !== null && Number.isFinite(v));
  const min = options.min ?? Math.min(0, ...numbers);
  const max = options.max ?? Math.max(min, ...numbers);
  const range = max - min;
  let line = "";
  for (const value of shown) {
    if (value === null || !Number.isFinite(value)) {
      line += " ";
      continue;
    }
    const ratio = range === 0 ? 0 : (Math.min(max, Math.max(min, value)) - min) / range;
    line += BARS[Math.round(ratio * (BARS.length - 1))];
  }
  return line;
}

/** The top of a shared scale: the largest value of every series, at least `floor`. */
export function sharedScale(
  series: ReadonlyMap<number, readonly (number | null)[]>,
  floor: number,
): number {
  let top = floor;
  for (const values of series.values()) {
    for (const v of values) if (v !== null && Number.isFinite(v) && v > top) top = v;
  }
  return top;
}
