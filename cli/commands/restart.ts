/** `adasa restart` and `adasa reload` (one instance at a time). */
import { call, printInstances, targets } from "./_shared.ts";
import { configArg, isConfigFile } from "./_config_file.ts";
import { print, printError } from "../render/io.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const op = parsed.command;
  const [first] = parsed.positionals;
  if (op === "reload" && parsed.positionals.length === 1 && first && isConfigFile(first)) {
    return await reloadFile(first, parsed, ctx);
  }
  const args = {
    targets: targets(parsed, op),
    ...(parsed.values["update-env"] === true ? { update_env: Deno.env.toObject() } : {}),
  };
  const rows = op === "reload" ? await call(ctx, "reload", args) : await call(ctx, "restart", args);
  await printInstances(ctx, rows);
  return 0;
}

/** `adasa reload <file> [--prune]`: apply the difference and say what was done. */
async function reloadFile(path: string, parsed: Parsed, ctx: CommandContext): Promise<number> {
  const profile = typeof parsed.values.env === "string" ? parsed.values.env : undefined;
  const report = await call(ctx, "reload", {
    config: configArg(path, { profile, strict: parsed.values.strict === true }),
    prune: parsed.values.prune === true,
  });
  for (const warning of report.warnings) printError(`adasa: warning: ${warning}`);
  if (ctx.json) {
    print(JSON.stringify(report));
    return 0;
  }
  const lines = [
    ...report.started.map((n) => `started    ${n}`),
    ...report.restarted.map((r) => `restarted  ${r.name} (changed: ${r.changed.join(", ")})`),
    ...report.scaled.map((s) => `scaled     ${s.name} ${s.from} -> ${s.to}`),
    ...report.unchanged.map((n) => `unchanged  ${n}`),
    ...report.deleted.map((n) => `deleted    ${n}`),
  ];
  print(lines.length ? lines.join("\n") : "Nothing to do");
  return 0;
}
