/** `adasa export`: the app definitions as a JSON or TOML file `adasa start` accepts. */
import { print } from "../render/io.ts";
import { usageError } from "../usage_error.ts";
import { call } from "./_shared.ts";
import { writeNewFile } from "../write_new_file.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const format = typeof parsed.values.format === "string" ? parsed.values.format : "json";
  if (format !== "json" && format !== "toml") {
    throw usageError(`--format must be json or toml, got "${format}"`);
  }
  const { text } = await call(ctx, "export", {
    targets: parsed.positionals,
    format,
  });
  const output = parsed.values.output;
  if (typeof output === "string") {
    // Owner-only: the file holds the apps' environment, which may contain secrets.
    await writeNewFile(output, text.endsWith("\n") ? text : text + "\n", { mode: 0o600 });
    if (!ctx.json) print(`Wrote ${output}`);
  } else print(text.trimEnd());
  return 0;
}
