/**
 * `adasa export`: the app definitions as a JSON or TOML file `adasa start` accepts, or as the
 * files of systemd, Docker Compose or Kubernetes; from the registry or from a config file.
 */
import { print, printError } from "../render/io.ts";
import { usageError } from "../usage_error.ts";
import { call } from "./_shared.ts";
import { writeNewFile } from "../write_new_file.ts";
import { configArg, isConfigFile } from "./_config_file.ts";
import type { CommandContext, Parsed } from "./mod.ts";

const FORMATS = ["json", "toml", "systemd", "compose", "kubernetes"] as const;
type Format = typeof FORMATS[number];

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const given = typeof parsed.values.format === "string" ? parsed.values.format : "json";
  const format = FORMATS.find((f) => f === given);
  if (!format) throw usageError(`--format must be ${FORMATS.join(", ")}, got "${given}"`);
  const output = typeof parsed.values.output === "string" ? parsed.values.output : null;
  if (format === "json" || format === "toml") {
    if (parsed.values.env !== undefined) {
      throw usageError(
        "adasa export: --env NAME goes with --format systemd, compose or kubernetes",
      );
    }
    return await exportFile(parsed, ctx, format, output);
  }
  return await exportEngine(parsed, ctx, format, output);
}

async function exportFile(
  parsed: Parsed,
  ctx: CommandContext,
  format: "json" | "toml",
  output: string | null,
): Promise<number> {
  const { text } = await call(ctx, "export", { targets: parsed.positionals, format });
  if (output !== null) {
    // Owner-only: the file holds the apps' environment, which may contain secrets.
    await writeNewFile(output, text.endsWith("\n") ? text : text + "\n", { mode: 0o600 });
    if (!ctx.json) print(`Wrote ${output}`);
  } else print(text.trimEnd());
  return 0;
}

async function exportEngine(
  parsed: Parsed,
  ctx: CommandContext,
  format: Exclude<Format, "json" | "toml">,
  output: string | null,
): Promise<number> {
  const [first, ...rest] = parsed.positionals;
  const fromFile = first !== undefined && isConfigFile(first);
  const profile = typeof parsed.values.env === "string" ? parsed.values.env : undefined;
  if (profile !== undefined && !fromFile) {
    throw usageError("adasa export: --env NAME needs a config file to take the profile from");
  }
  const reply = await call(ctx, "export", {
    format,
    targets: fromFile ? rest : parsed.positionals,
    ...(fromFile ? { config: configArg(first, { profile }) } : {}),
  });
  for (const warning of reply.warnings) printError(`Warning: ${warning}`);
  if (output === null) {
    print(reply.text.trimEnd());
    return 0;
  }
  await Deno.mkdir(output, { recursive: true });
  for (const file of reply.files) {
    const path = `${output}/${file.path}`;
    // Owner-only: the files hold the apps' environment, which may contain secrets.
    await writeNewFile(path, file.text, { mode: 0o600 });
    if (!ctx.json) print(`Wrote ${path}`);
  }
  return 0;
}
