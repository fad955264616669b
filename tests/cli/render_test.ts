import { ok, strictEqual } from "node:assert/strict";
import {
  formatClock,
  renderChart,
  renderCpuChart,
  renderMemoryChart,
} from "../../cli/render/chart.ts";
import { sparkline } from "../../cli/render/sparkline.ts";
import { formatDuration } from "../../cli/render/units.ts";

const T0 = new Date(2026, 10, 27, 3, 0, 0).getTime();

Deno.test("formatDuration() shows the two largest units", () => {
  const cases: Array<[number, string]> = [
    [0, "0ms"],
    [800, "800ms"],
    [42_000, "42s"],
    [312_000, "5m 12s"],
    [3 * 3_600_000 + 4 * 60_000, "3h 4m"],
    [3 * 86_400_000 + 4 * 3_600_000 + 5000, "3d 4h"],
    [-1500, "-1s"],
  ];
  for (const [ms, want] of cases) strictEqual(formatDuration(ms), want, String(ms));
});

Deno.test("sparkline() scales from 0 to the largest value and shows gaps", () => {
  strictEqual(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), "▁▂▃▄▅▆▇█");
  strictEqual(sparkline([0, 0, 0]), "▁▁▁");
  strictEqual(sparkline([5, null, 10]), "▅ █");
  strictEqual(sparkline([1, 2, 3, 4], { width: 2 }), "▆█");
  strictEqual(sparkline([50, 200], { max: 100 }), "▅█");
  strictEqual(sparkline([]), "");
});

Deno.test("renderChart() draws a line with y labels and end times within the width", () => {
  const points = [0, 0, 10, 10, 5, 5].map((value, i) => ({ at: T0 + i * 60_000, value }));
  const chart = renderChart(points, { width: 30, height: 3, formatValue: (v) => v.toFixed(0) });
  const lines = chart.split("\n");
  strictEqual(lines.length, 4);
  ok(lines.every((line) => line.length <= 30), chart);
  ok(lines[0]?.startsWith("10 ┤"), chart);
  ok(lines[1]?.startsWith(" 5 ┤"), chart);
  ok(lines[2]?.startsWith(" 0 ┼─"), chart);
  ok(chart.includes("╭") && chart.includes("╮"), chart);
  ok(lines[3]?.trimStart().startsWith("03:00"), chart);
  ok(lines[3]?.endsWith("03:05:00"), chart);
  ok(!chart.includes("\x1b["), "no color unless asked");
});

Deno.test("renderCpuChart() and renderMemoryChart() fit 80 columns and label units", () => {
  const points = Array.from({ length: 500 }, (_, i) => ({ at: T0 + i * 2000, value: i % 50 }));
  const cpu = renderCpuChart(points, { title: "cpu", color: true });
  ok(cpu.startsWith("cpu\n"));
  ok(cpu.includes("49.0% ┤") && cpu.includes("0.0% ┼"), cpu);
  ok(cpu.includes("\x1b[36m"));
  const memory = renderMemoryChart(points.map((p) => ({ ...p, value: p.value * 2 ** 20 })));
  ok(memory.includes("49.0MiB ┤") && memory.includes("0B ┼"), memory);
  ok(memory.split("\n").every((line) => line.length <= 80), memory);
});

Deno.test("renderChart() says so when there are no samples", () => {
  strictEqual(renderChart([{ at: T0, value: null }]), "(no samples in this window)");
});

Deno.test("formatClock() adds seconds to short spans and the date to long ones", () => {
  strictEqual(formatClock(T0 + 5000, 60_000), "03:00:05");
  strictEqual(formatClock(T0, 3_600_000), "03:00");
  strictEqual(formatClock(T0, 2 * 86_400_000), "11-27 03:00");
});

Deno.test("renderChart() keeps a bucket's peak: the top label is the highest max", () => {
  // 200 buckets into fewer than 60 columns: a mean would flatten the one spike at 7.
  const points = Array.from({ length: 200 }, (_, i) => ({
    at: T0 + i * 10_000,
    value: 1,
    min: 0.5,
    max: i === 117 ? 7 : 1.5,
  }));
  const chart = renderCpuChart(points, { width: 60, height: 6 });
  const lines = chart.split("\n");
  ok(lines[0]?.startsWith("7.0% ┤"), chart);
  // The top row has a mark, in exactly one column: the spike's.
  const top = (lines[0] as string).slice("7.0% ┤".length);
  strictEqual(top.trim(), "│", chart);
  // The lowest row is reached by the bucket minimums (0.5% is level 0 of 0..7 in 6 rows).
  ok((lines[5] as string).slice("7.0% ┼".length).includes("│"), chart);
});

Deno.test("renderChart() draws a bucket's range as a bar from its min to its max", () => {
  const points = [
    { at: T0, value: 5, min: 0, max: 10 },
    { at: T0 + 60_000, value: 5, min: 5, max: 5 },
  ];
  const lines = renderChart(points, { width: 8, height: 3, formatValue: (v) => v.toFixed(0) })
    .split("\n");
  strictEqual(lines[0], "10 ┤│", lines.join("\n"));
  ok(lines[1]?.startsWith(" 5 ┤│─"), lines.join("\n"));
  strictEqual(lines[2], " 0 ┼│", lines.join("\n"));
});

Deno.test("renderChart() labels its ends with the samples' own times", () => {
  // A bucket that starts at 03:00:00 but whose samples ran from 03:00:41 to 03:04:02.
  const bucket = { at: T0 + 41_000, end: T0 + 242_000, value: 3, min: 1, max: 5 };
  const axis = renderChart([bucket], { width: 40, height: 2 }).split("\n").at(-1) as string;
  ok(axis.trimStart().startsWith("03:00:41"), axis);
  ok(axis.endsWith("03:04:02"), axis);
  // One sample: one label, at the sample's time.
  const one = renderChart([{ at: T0 + 41_000, value: 3 }], { width: 40, height: 2 });
  strictEqual(one.split("\n").at(-1)?.trim(), "03:00:41", one);
});
