/** `adasa reset <target...>`: zero the restart counters (pm2's `reset`). */
import { print } from "../render/io.ts";
import { call, targets } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const rows = await call(ctx, "reset", { targets: targets(parsed, "reset") });
  if (ctx.json) print(JSON.stringify(rows));
  else print(`Restart counters reset for ${rows.map((r) => `${r.name}#${r.id}`).join(", ")}`);
  return 0;
}
