/**
 * Terminal line charts of a metric over time, for `adasa stats`: y-axis labels on the left,
 * the times of both ends below. Pure: points in, lines out; color only when asked.
 */
import { formatPercent, formatSize } from "../../src/model/units.ts";

/**
 * One value at one time (ms since the epoch); null where there was no sample. A point that
 * stands for a bucket of samples gives their lowest and highest value and the time of its last
 * sample, so a column shows the whole range of its bucket and no peak is averaged away.
 */
export interface ChartPoint {
  /** Time of the (first) sample. */
  at: number;
  /** Time of the last sample of a bucket; default `at`. */
  end?: number;
  value: number | null;
  /** Lowest value of the bucket; default `value`. */
  min?: number | null;
  /** Highest value of the bucket; default `value`. */
  max?: number | null;
}

/** How to draw a chart. */
export interface ChartOptions {
  /** Total width in columns, labels included; default 80. */
  width?: number;
  /** Rows of the plot, time labels excluded; default 10. */
  height?: number;
  /** Lower end of the y axis; default the smallest value, or 0 when it is positive. */
  min?: number;
  /** Upper end of the y axis; default the largest value. */
  max?: number;
  formatValue?: (value: number) => string;
  formatTime?: (ms: number, spanMs: number) => string;
  /** A line printed above the chart. */
  title?: string;
  color?: boolean;
}

/** Renders a line chart; a window without points renders as one line saying so. */
export function renderChart(points: readonly ChartPoint[], options: ChartOptions = {}): string {
  const width = options.width ?? 80;
  const height = Math.max(2, options.height ?? 10);
  const format = options.formatValue ?? ((v: number) => v.toFixed(1));
  const lows = points.flatMap((p) => (p.value === null ? [] : [p.min ?? p.value]));
  const highs = points.flatMap((p) => (p.value === null ? [] : [p.max ?? p.value]));
  const head = options.title === undefined ? [] : [options.title];
  if (highs.length === 0) return [...head, "(no samples in this window)"].join("\n");
  const min = options.min ?? Math.min(0, ...lows);
  const max = Math.max(options.max ?? Math.max(...highs), min + Number.EPSILON);
  const labels = Array.from({ length: height }, (_, i) => {
    return format(max - ((max - min) * i) / (height - 1));
  });
  const labelWidth = Math.max(...labels.map((l) => l.length));
  const plotWidth = Math.max(4, width - labelWidth - 2);
  const columns = resample(points, plotWidth);
  const level = (v: number) => toLevel(v, min, max, height);
  const levels = columns.map((c) => c === null ? null : { low: level(c.low), high: level(c.high) });
  const grid = drawLines(levels, height);
  const paintLine = (s: string) => options.color ? `\x1b[36m${s}\x1b[0m` : s;
  const rows = grid.map((row, i) => {
    const axis = i === height - 1 ? " ┼" : " ┤";
    return `${(labels[i] as string).padStart(labelWidth)}${axis}${
      paintLine(row.join("").trimEnd())
    }`;
  });
  return [...head, ...rows, timeAxis(points, labelWidth + 2, plotWidth, options)].join("\n");
}

/** CPU in percent of one core; the axis starts at 0. */
export function renderCpuChart(points: readonly ChartPoint[], options: ChartOptions = {}): string {
  return renderChart(points, { min: 0, formatValue: formatPercent, ...options });
}

/** Memory in bytes; the axis starts at 0. */
export function renderMemoryChart(
  points: readonly ChartPoint[],
  options: ChartOptions = {},
): string {
  return renderChart(points, { min: 0, formatValue: formatSize, ...options });
}

/** The range of values of one column of the plot. */
interface Column {
  low: number;
  high: number;
}

/**
 * Splits the time span into `columns` equal slices and keeps the lowest and highest value of
 * the points falling into each, so the tallest column reaches the highest value of the window.
 */
function resample(points: readonly ChartPoint[], columns: number): Array<Column | null> {
  const first = points[0]?.at ?? 0;
  const span = Math.max(1, lastTime(points) - first);
  const slices = new Array<Column | null>(columns).fill(null);
  const counts = new Array<number>(columns).fill(0);
  for (const p of points) {
    if (p.value === null) continue;
    const column = Math.min(columns - 1, Math.floor(((p.at - first) / span) * columns));
    const low = p.min ?? p.value;
    const high = p.max ?? p.value;
    const slice = slices[column];
    slices[column] = slice === null || slice === undefined
      ? { low, high }
      : { low: Math.min(slice.low, low), high: Math.max(slice.high, high) };
    counts[column] = (counts[column] as number) + 1;
  }
  // Fewer points than columns: stretch each point's mean over the columns up to the next one.
  let last: number | null = null;
  let next = 0;
  const present = points.filter((p) => p.value !== null);
  return slices.map((slice, i) => {
    if (slice !== null && slice !== undefined) {
      next += counts[i] as number;
      last = (present[next - 1]?.value ?? null) as number | null;
      return slice;
    }
    return points.length < columns && last !== null ? { low: last, high: last } : null;
  });
}

function lastTime(points: readonly ChartPoint[]): number {
  let last = points[0]?.at ?? 0;
  for (const p of points) last = Math.max(last, p.end ?? p.at);
  return last;
}

function toLevel(value: number, min: number, max: number, height: number): number {
  const clamped = Math.min(max, Math.max(min, value));
  return Math.round(((clamped - min) / (max - min)) * (height - 1));
}

/**
 * Draws the columns with box-drawing lines; row 0 is the top. A column of one level is a line
 * with corners where it steps; a column whose bucket spans several levels is a bar over all of
 * them, stretched to meet its neighbour so the line stays joined.
 */
function drawLines(levels: readonly (Column | null)[], height: number): string[][] {
  const grid = Array.from({ length: height }, () => new Array<string>(levels.length).fill(" "));
  const put = (level: number, x: number, ch: string) => {
    (grid[height - 1 - level] as string[])[x] = ch;
  };
  levels.forEach((column, x) => {
    if (column === null) return;
    const prev = x > 0 ? levels[x - 1] ?? null : null;
    if (column.low !== column.high) {
      const low = prev === null ? column.low : Math.min(column.low, prev.high);
      const high = prev === null ? column.high : Math.max(column.high, prev.low);
      for (let l = low; l <= high; l++) put(l, x, "│");
      return;
    }
    const level = column.low;
    if (prev === null || (prev.low <= level && level <= prev.high)) return put(level, x, "─");
    const from = prev.high < level ? prev.high : prev.low;
    const [low, high] = from < level ? [from, level] : [level, from];
    for (let l = low + 1; l < high; l++) put(l, x, "│");
    put(from, x, from < level ? "╯" : "╮");
    put(level, x, from < level ? "╭" : "╰");
  });
  return grid;
}

function timeAxis(points: readonly ChartPoint[], indent: number, width: number, o: ChartOptions) {
  const first = (points[0] as ChartPoint).at;
  const last = lastTime(points);
  const format = o.formatTime ?? formatClock;
  const left = format(first, last - first);
  // One sample (or samples of one instant): one label, at the sample's own time.
  if (last === first) return `${" ".repeat(indent)}${left}`;
  const right = format(last, last - first);
  const gap = Math.max(1, width - left.length - right.length);
  return `${" ".repeat(indent)}${left}${" ".repeat(gap)}${right}`;
}

/** Local `HH:MM`, with seconds for spans under 10 minutes and the date for spans over a day. */
export function formatClock(ms: number, spanMs: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  const time = `${p(d.getHours())}:${p(d.getMinutes())}`;
  if (spanMs < 600_000) return `${time}:${p(d.getSeconds())}`;
  if (spanMs >= 86_400_000) return `${p(d.getMonth() + 1)}-${p(d.getDate())} ${time}`;
  return time;
}
