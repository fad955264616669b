/** `adasa scale <name> <K>`. */
import { usageError } from "../usage_error.ts";
import { call, printInstances } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const [app, count, ...extra] = parsed.positionals;
  if (app === undefined || count === undefined || extra.length) {
    throw usageError("usage: adasa scale <name> <K>");
  }
  if (!/^\d+$/.test(count) || Number(count) < 1 || Number(count) > 1024) {
    throw usageError(
      `adasa scale: instance count must be a whole number from 1 to 1024, got "${count}"`,
    );
  }
  await printInstances(ctx, await call(ctx, "scale", { app, instances: Number(count) }));
  return 0;
}
