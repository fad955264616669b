/** `adasa list`. */
import { usageError } from "../usage_error.ts";
import { print } from "../render/io.ts";
import { call, printInstances } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  if (parsed.positionals.length) throw usageError("adasa list takes no arguments");
  const rows = await call(ctx, "list", {});
  if (!ctx.json && rows.length === 0) print("No apps yet; start one with: adasa start <command>");
  else await printInstances(ctx, rows);
  return 0;
}
