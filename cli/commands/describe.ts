/** `adasa describe`. */
import { usageError } from "../usage_error.ts";
import { print } from "../render/io.ts";
import { renderDescription } from "../render/describe.ts";
import { call } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const [target, ...extra] = parsed.positionals;
  if (target === undefined || extra.length) throw usageError("usage: adasa describe <id|name>");
  const rows = await call(ctx, "describe", {
    target,
    show_env: parsed.values["show-env"] === true,
  });
  if (ctx.json) print(JSON.stringify(rows));
  else {print(
      rows.map((row) => renderDescription(row, { color: ctx.color, now: Date.now() })).join("\n\n"),
    );}
  return 0;
}
