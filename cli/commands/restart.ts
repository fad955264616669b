/** `adasa restart` and `adasa reload` (one instance at a time). */
import type { InstanceInfo } from "../../src/protocol/messages.ts";
import { call, printInstances, targets } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const op = parsed.command;
  const args: Record<string, unknown> = { targets: targets(parsed, op) };
  if (parsed.values["update-env"] === true) args.update_env = Deno.env.toObject();
  printInstances(ctx, await call<InstanceInfo[]>(ctx, op, args));
  return 0;
}
