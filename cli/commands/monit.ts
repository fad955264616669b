/**
 * `adasa monit`: on a terminal, a full-screen monitor (the list, the selected instance's details
 * and live logs, actions on it; `_monit_tui.ts`, loaded only then). When stdout is not a
 * terminal it prints one plain table.
 */
import type { AdasaClient } from "../../src/ipc/client.ts";
import type { StatsPoint } from "../../src/protocol/ops.ts";
import { print } from "../render/io.ts";
import { renderMonit } from "../render/monit.ts";
import { unicodeMeasure } from "../render/width.ts";
import type { CommandContext, Parsed } from "./mod.ts";
import { intFlag } from "./_shared.ts";

const HISTORY_POINTS = 30;

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const intervalMs = intFlag(parsed, "interval", 200, 3_600_000) ?? 2_000;
  await using client = await ctx.connect();
  if (Deno.stdout.isTerminal() && Deno.stdin.isTerminal()) {
    const { runMonitTui } = await import("./_monit_tui.ts");
    return await runMonitTui(client, ctx, { intervalMs });
  }
  const history = await loadHistory(client);
  // The header and the sparklines are not ASCII.
  const measure = await unicodeMeasure();
  print(renderMonit(await client.request("list"), history, { color: false, width: 80, measure }));
  return 0;
}

/** The last 5 minutes of every instance from the database, in `maxPoints` buckets. */
export async function recentStats(client: AdasaClient, maxPoints: number): Promise<StatsPoint[]> {
  const now = Date.now();
  const reply = await client.request("stats", {
    targets: ["all"],
    since: now - 5 * 60_000,
    until: now,
    max_points: maxPoints,
  });
  return reply.points;
}

async function loadHistory(client: AdasaClient): Promise<Map<number, number[]>> {
  const history = new Map<number, number[]>();
  for (const p of await recentStats(client, HISTORY_POINTS)) {
    const list = history.get(p.instance_id) ?? [];
    list.push(p.group_cpu_max ?? p.group_cpu ?? 0);
    history.set(p.instance_id, list);
  }
  return history;
}
