/**
 * Terminal line charts of a metric over time, for `adasa stats`: y-axis labels on the left,
 * the times of both ends below. Pure: points in, lines out; color only when asked.
 */
import { formatPercent, formatSize } from "../../src/model/units.ts";

/** One value at one time (ms since the epoch); null where there was no sample. */
export interface ChartPoint {
  at: number;
  value: number | null;
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
  const values = points.flatMap((p) => (p.value === null ? [] : [p.value]));
  const head = options.title === undefined ? [] : [options.title];
  if (values.length === 0) return [...head, "(no samples in this window)"].join("\n");
  const min = options.min ?? Math.min(0, ...values);
  const max = Math.max(options.max ?? Math.max(...values), min + Number.EPSILON);
  const labels = Array.from({ length: height }, (_, i) => {
    return format(max - ((max - min) * i) / (height - 1));
  });
  const labelWidth = Math.max(...labels.map((l) => l.length));
  const plotWidth = Math.max(4, width - labelWidth - 2);
  const columns = resample(points, plotWidth);
  const levels = columns.map((v) => v === null ? null : toLevel(v, min, max, height));
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

/** Averages the points falling into each of `columns` equal slices of the time span. */
function resample(points: readonly ChartPoint[], columns: number): Array<number | null> {
  const first = points[0]?.at ?? 0;
  const span = Math.max(1, (points[points.length - 1]?.at ?? first) - first);
  const sums = new Array<number>(columns).fill(0);
  const counts = new Array<number>(columns).fill(0);
  for (const p of points) {
    if (p.value === null) continue;
    const column = Math.min(columns - 1, Math.floor(((p.at - first) / span) * columns));
    sums[column] = (sums[column] as number) + p.value;
    counts[column] = (counts[column] as number) + 1;
  }
  // Fewer points than columns: stretch each point over the columns up to the next one.
  let last: number | null = null;
  return sums.map((sum, i) => {
    const count = counts[i] as number;
    if (count > 0) last = sum / count;
    return points.length < columns ? last : count > 0 ? last : null;
  });
}

function toLevel(value: number, min: number, max: number, height: number): number {
  const clamped = Math.min(max, Math.max(min, value));
  return Math.round(((clamped - min) / (max - min)) * (height - 1));
}

/** Draws the line column by column with box-drawing corners; row 0 is the top. */
function drawLines(levels: readonly (number | null)[], height: number): string[][] {
  const grid = Array.from({ length: height }, () => new Array<string>(levels.length).fill(" "));
  const put = (level: number, x: number, ch: string) => {
    (grid[height - 1 - level] as string[])[x] = ch;
  };
  levels.forEach((level, x) => {
    if (level === null) return;
    const prev = x > 0 ? levels[x - 1] ?? null : null;
    if (prev === null || prev === level) return put(level, x, "─");
    const [low, high] = prev < level ? [prev, level] : [level, prev];
    for (let l = low + 1; l < high; l++) put(l, x, "│");
    put(prev, x, prev < level ? "╯" : "╮");
    put(level, x, prev < level ? "╭" : "╰");
  });
  return grid;
}

function timeAxis(points: readonly ChartPoint[], indent: number, width: number, o: ChartOptions) {
  const first = (points[0] as ChartPoint).at;
  const last = (points[points.length - 1] as ChartPoint).at;
  const format = o.formatTime ?? formatClock;
  const left = format(first, last - first);
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
