/** `adasa stats` on screen: per instance, a CPU chart, a memory chart and their figures. Pure. */
import { type ChartPoint, renderCpuChart, renderMemoryChart } from "./chart.ts";
import { formatPercent, formatSize } from "../../src/model/units.ts";
import type { Figures, StatsReply } from "../../src/protocol/ops.ts";

export function renderStats(reply: StatsReply, options: { color: boolean; width: number }): string {
  if (reply.summary.length === 0) return "No samples in this window";
  // One pass over the points, not one per instance: `stats all` has 100 instances and more.
  const byInstance = Map.groupBy(reply.points, (p) => p.instance_id);
  return reply.summary.map((s) => {
    const points = byInstance.get(s.instance_id) ?? [];
    // Each bucket from its first to its last sample, with its range: the chart's top is the
    // summary's max, and its time labels are the samples' own times, not the buckets'.
    const cpu: ChartPoint[] = points.map((p) => ({
      at: p.first_at,
      end: p.last_at,
      value: p.group_cpu,
      min: p.group_cpu_min,
      max: p.group_cpu_max,
    }));
    const memory: ChartPoint[] = points.map((p) => ({
      at: p.first_at,
      end: p.last_at,
      value: p.group_memory,
      min: p.group_memory_min,
      max: p.group_memory_max,
    }));
    const figures = (label: string, f: Figures | null, fmt: (n: number) => string) =>
      f
        ? `${label}  min ${fmt(f.min)}  avg ${fmt(f.avg)}  p95 ${fmt(f.p95)}  max ${fmt(f.max)}`
        : `${label}  -`;
    return [
      `${s.app}#${s.instance_id}: ${s.samples} samples`,
      renderCpuChart(cpu, {
        width: options.width,
        height: 6,
        title: "cpu (process group)",
        color: options.color,
      }),
      figures("cpu   ", s.group_cpu, formatPercent as (n: number) => string),
      renderMemoryChart(memory, {
        width: options.width,
        height: 6,
        title: "memory (process group)",
        color: options.color,
      }),
      figures("memory", s.group_memory, formatSize as (n: number) => string),
    ].join("\n");
  }).join("\n\n");
}

export function statsCsv(reply: StatsReply): string {
  const header = "at,time,instance_id,app,samples,cpu,memory,group_cpu,group_memory";
  const rows = reply.points.map((p) =>
    [
      p.at,
      new Date(p.at).toISOString(),
      p.instance_id,
      p.app,
      p.samples,
      p.cpu ?? "",
      p.memory,
      p.group_cpu ?? "",
      p.group_memory,
    ].join(",")
  );
  return [header, ...rows].join("\n");
}
