/**
 * The plain `adasa monit` (stdout not a terminal): one row per instance with a CPU sparkline,
 * every row on one scale, named in the header. Pure.
 */
import type { InstanceInfo } from "../../src/protocol/messages.ts";
import { paint, statusColor } from "./color.ts";
import { sharedScale, sparkline } from "./sparkline.ts";
import { renderTable } from "./table.ts";
import type { Measure } from "./width.ts";
import { formatDuration } from "./units.ts";
import { formatPercent, formatSize } from "../../src/model/units.ts";

export function renderMonit(
  rows: InstanceInfo[],
  history: Map<number, number[]>,
  options: { color: boolean; width: number; measure: Measure },
): string {
  if (rows.length === 0) return "No apps yet; start one with: adasa start <command>";
  // id, name, status, restarts, uptime, cpu, memory take about 60 columns; the rest is history.
  const sparkWidth = Math.max(8, Math.min(30, options.width - 62));
  const top = sharedScale(history, 1);
  const body = rows.map((r) => [
    String(r.id),
    r.name.length > 16 ? r.name.slice(0, 15) + "…" : r.name,
    paint(r.status, statusColor(r.status), options.color),
    String(r.restarts),
    r.uptime_ms === null ? "-" : formatDuration(r.uptime_ms),
    formatPercent(r.group_cpu),
    formatSize(r.group_memory),
    sparkline(history.get(r.id) ?? [], { width: sparkWidth, min: 0, max: top }),
  ]);
  return renderTable(
    [
      "id",
      "name",
      "status",
      "↺",
      "uptime",
      "cpu",
      "memory",
      `cpu history, 0–${formatPercent(top)}`,
    ],
    body,
    {
      rightAlign: [0, 3, 5, 6],
      measure: options.measure,
    },
  );
}
