/** `adasa ping`: the smallest round trip, so it loads nothing of the other commands' helpers. */
import { print } from "../render/io.ts";
import type { CommandContext, Parsed } from "./mod.ts";
import { usageError } from "../usage_error.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  if (parsed.positionals.length) throw usageError("adasa ping takes no arguments");
  await using client = await ctx.connect();
  const reply = await client.request("ping", {});
  print(ctx.json ? JSON.stringify({ reply }) : reply);
  return 0;
}
