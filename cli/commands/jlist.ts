/** `adasa jlist` and `adasa prettylist`: every instance as pm2's jlist prints it. */
import { usageError } from "../usage_error.ts";
import { print } from "../render/io.ts";
import { toPm2Process } from "../render/pm2_shape.ts";
import { call } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  if (parsed.positionals.length) throw usageError(`adasa ${parsed.command} takes no arguments`);
  const list = await call(ctx, "list", {});
  const rows = list.length === 0
    ? []
    : await call(ctx, "describe", { target: "all", show_env: true });
  const processes = rows.map(toPm2Process);
  print(JSON.stringify(processes, null, parsed.command === "prettylist" ? 2 : undefined));
  return 0;
}
