/** `adasa delete`. */
import { print } from "../render/io.ts";
import { call, targets } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const result = await call(ctx, "delete", {
    targets: targets(parsed, "delete"),
  });
  if (ctx.json) print(JSON.stringify(result));
  else print(`Deleted ${result.deleted_ids.length} instance(s): ${result.deleted_ids.join(", ")}`);
  return 0;
}
