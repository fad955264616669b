/** `adasa export`: the app definitions as a JSON or TOML file `adasa start` accepts. */
import { print } from "../render/io.ts";
import { call } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const format = typeof parsed.values.format === "string" ? parsed.values.format : "json";
  const { text } = await call<{ text: string }>(ctx, "export", {
    targets: parsed.positionals,
    format,
  });
  const output = parsed.values.output;
  if (typeof output === "string") {
    // Owner-only: the file holds the apps' environment, which may contain secrets.
    const temp = `${output}.tmp-${Deno.pid}`;
    await Deno.writeTextFile(temp, text.endsWith("\n") ? text : text + "\n", { mode: 0o600 });
    await Deno.rename(temp, output);
    if (!ctx.json) print(`Wrote ${output}`);
  } else print(text.trimEnd());
  return 0;
}
