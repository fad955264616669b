/** `adasa stop`. */
import { call, printInstances, targets } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const args = { targets: targets(parsed, "stop"), force: parsed.values.force === true };
  await printInstances(ctx, await call(ctx, "stop", args));
  return 0;
}
