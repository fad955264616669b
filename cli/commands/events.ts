/** `adasa events`: the timeline from the events table. */
import type { OpArgs } from "../../src/protocol/ops.ts";
import { parseTimeSpec } from "../../src/protocol/time.ts";
import { print } from "../render/io.ts";
import { renderEventLine } from "../render/events.ts";
import { call, intFlag } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const now = Date.now();
  const args: OpArgs<"events"> = { targets: parsed.positionals };
  if (typeof parsed.values.since === "string") args.since = parseTimeSpec(parsed.values.since, now);
  if (typeof parsed.values.until === "string") args.until = parseTimeSpec(parsed.values.until, now);
  const limit = intFlag(parsed, "limit", 1, 100_000);
  if (limit !== undefined) args.limit = limit;
  const rows = await call(ctx, "events", args);
  if (ctx.json) print(JSON.stringify(rows));
  else if (rows.length === 0) print("No events");
  else print(rows.map(renderEventLine).join("\n"));
  return 0;
}
