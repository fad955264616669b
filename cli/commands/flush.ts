/** `adasa flush`: empty the logs of apps. */
import { print } from "../render/io.ts";
import { call } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const result = await call(ctx, "flush", { targets: parsed.positionals });
  if (ctx.json) print(JSON.stringify(result));
  else print(result.apps.length ? `Flushed the logs of ${result.apps.join(", ")}` : "No apps");
  return 0;
}
