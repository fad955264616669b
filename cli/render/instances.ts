/** The instance table of `adasa list` and of command results. Pure. */
import type { InstanceInfo } from "../../src/protocol/messages.ts";
import { paint, statusColor } from "./color.ts";
import { formatDuration } from "./units.ts";
import { formatPercent, formatSize } from "../../src/model/units.ts";
import { renderTable } from "./table.ts";
import type { Measure } from "./width.ts";

export function renderInstanceTable(
  rows: InstanceInfo[],
  options: { color: boolean; now: number; measure: Measure },
): string {
  const headers = ["id", "name", "pid", "status", "health", "restarts", "uptime", "cpu", "memory"];
  const body = rows.map((r) => [
    String(r.id),
    r.name,
    r.pid === null ? "-" : String(r.pid),
    paint(r.status, statusColor(r.status), options.color),
    healthText(r),
    String(r.restarts),
    r.uptime_ms === null ? "-" : formatDuration(r.uptime_ms),
    formatPercent(r.group_cpu),
    formatSize(r.group_memory),
  ]);
  return renderTable(headers, body, { rightAlign: [0, 2, 5], measure: options.measure });
}

/**
 * Readiness and liveness in one word: `starting` until ready, `not ready` after ready_timeout,
 * then `ready`, or the liveness verdict when the app has a check.
 */
export function healthText(r: InstanceInfo): string {
  if (r.ready === "pending") return "starting";
  if (r.ready === "failed") return "not ready";
  if (r.ready !== "ready") return "-";
  if (r.health === null || r.health === undefined) return "ready";
  if (r.health === "failing") return `failing (${r.health_failures})`;
  return r.health;
}
