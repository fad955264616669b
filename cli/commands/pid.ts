/** `adasa pid [app|id]`: the pids of running instances, one per line (pm2's `pid`). */
import { AdasaError } from "../../src/protocol/errors.ts";
import { usageError } from "../usage_error.ts";
import { print } from "../render/io.ts";
import { call } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const [target, ...extra] = parsed.positionals;
  if (extra.length) throw usageError("usage: adasa pid [id|name]");
  const rows = await call(ctx, "list", {});
  const chosen = target === undefined || target === "all"
    ? rows
    : rows.filter((row) => row.name === target || String(row.id) === target);
  if (target !== undefined && target !== "all" && chosen.length === 0) {
    throw new AdasaError("NOT_FOUND", `No app or id "${target}"`);
  }
  const pids = chosen.flatMap((row) => row.pid === null ? [] : [row.pid]);
  if (ctx.json) print(JSON.stringify(pids));
  else if (pids.length) print(pids.join("\n"));
  return 0;
}
