/** Adds the latest sample's CPU and memory to instance rows. */
import type { InstanceInfo } from "../../protocol/mod.ts";
import type { DaemonContext } from "../context.ts";

export function withMetrics(ctx: DaemonContext, rows: InstanceInfo[]): InstanceInfo[] {
  return rows.map((row) => {
    const sample = row.pid === null ? undefined : ctx.monitoring.latest(row.id);
    if (!sample || sample.pid !== row.pid) return row;
    return {
      ...row,
      cpu: sample.cpu,
      memory: sample.memory,
      group_cpu: sample.group_cpu,
      group_memory: sample.group_memory,
    };
  });
}
