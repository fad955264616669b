/** `adasa events`: the timeline from the events table. */
import type { OpArgs } from "../../src/protocol/ops.ts";
import { print } from "../render/io.ts";
import { renderEventLine } from "../render/events.ts";
import { call, intFlag, timeFlag } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const now = Date.now();
  const args: OpArgs<"events"> = { targets: parsed.positionals };
  const since = timeFlag(parsed, "since", now);
  const until = timeFlag(parsed, "until", now);
  if (since !== undefined) args.since = since;
  if (until !== undefined) args.until = until;
  const limit = intFlag(parsed, "limit", 1, 100_000);
  if (limit !== undefined) args.limit = limit;
  const rows = await call(ctx, "events", args);
  if (ctx.json) print(JSON.stringify(rows));
  else if (rows.length === 0) print("No events");
  else print(rows.map(renderEventLine).join("\n"));
  return 0;
}
