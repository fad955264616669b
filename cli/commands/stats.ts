/** `adasa stats`: CPU and memory history from the database, as charts, JSON or CSV. */
import { print } from "../render/io.ts";
import { renderStats, statsCsv } from "../render/stats.ts";
import { usageError } from "../usage_error.ts";
import { call, timeFlag } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";
import type { OpArgs } from "../../src/protocol/ops.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const v = parsed.values;
  if (parsed.positionals.length === 0) throw usageError("adasa stats: name an id, an app or all");
  const now = Date.now();
  const args: OpArgs<"stats"> = {
    targets: parsed.positionals,
    since: timeFlag(parsed, "since", now) ?? now - 3_600_000,
    until: timeFlag(parsed, "until", now) ?? now,
    max_points: v.csv === true || ctx.json ? 10_000 : 72,
  };
  const reply = await call(ctx, "stats", args);
  if (ctx.json) print(JSON.stringify(reply));
  else if (v.csv === true) print(statsCsv(reply));
  else print(renderStats(reply, { color: ctx.color, width: Math.min(100, consoleWidth()) }));
  return 0;
}

function consoleWidth(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80; // not a terminal (a pipe, a file): the classic width
  }
}
