/** `adasa restart` and `adasa reload` (one instance at a time). */
import type { InstanceInfo } from "../../src/protocol/messages.ts";
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
  const args: Record<string, unknown> = { targets: targets(parsed, op) };
  if (parsed.values["update-env"] === true) args.update_env = Deno.env.toObject();
  printInstances(ctx, await call<InstanceInfo[]>(ctx, op, args));
  return 0;
}

interface ReloadReport {
  started: string[];
  restarted: Array<{ name: string; changed: string[] }>;
  scaled: Array<{ name: string; from: number; to: number }>;
  unchanged: string[];
  deleted: string[];
  warnings: string[];
}

/** `adasa reload <file> [--prune]`: apply the difference and say what was done. */
async function reloadFile(path: string, parsed: Parsed, ctx: CommandContext): Promise<number> {
  const profile = typeof parsed.values.env === "string" ? parsed.values.env : undefined;
  const report = await call<ReloadReport>(ctx, "reload", {
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
