/** `adasa import-pm2 [path]`: the apps of pm2's dump file, created and started. */
import { AdasaError } from "../../src/protocol/errors.ts";
import { print, printError } from "../render/io.ts";
import { usageError } from "../usage_error.ts";
import { configArg } from "./_config_file.ts";
import { call, printInstances } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  if (parsed.positionals.length > 1) throw usageError("usage: adasa import-pm2 [path]");
  const home = Deno.env.get("PM2_HOME") ?? `${Deno.env.get("HOME") ?? ""}/.pm2`;
  const path = parsed.positionals[0] ?? `${home}/dump.pm2`;
  try {
    await Deno.stat(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new AdasaError("INVALID_ARGUMENT", `Cannot read ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    throw new AdasaError(
      "NOT_FOUND",
      `No pm2 dump at ${path}; run "pm2 save" first or name the file`,
    );
  }
  const reply = await call(
    ctx,
    "start",
    { config: configArg(path, {}) },
  );
  for (const warning of reply.warnings) printError(`adasa: warning: ${warning}`);
  if (ctx.json) print(JSON.stringify(reply));
  else await printInstances(ctx, reply.instances);
  return 0;
}
