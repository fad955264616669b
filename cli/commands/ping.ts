/** `adasa ping`. */
import { print } from "../render/io.ts";
import { call } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";
import { usageError } from "../usage_error.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  if (parsed.positionals.length) throw usageError("adasa ping takes no arguments");
  const reply = await call(ctx, "ping", {});
  print(ctx.json ? JSON.stringify({ reply }) : reply);
  return 0;
}
