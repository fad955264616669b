/** `adasa signal <SIGNAL> <targets>`. */
import { parseSignal } from "../../src/protocol/app_spec.ts";
import { usageError } from "../usage_error.ts";
import { print } from "../render/io.ts";
import { call } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const [signal, ...targets] = parsed.positionals;
  if (signal === undefined || targets.length === 0) {
    throw usageError("usage: adasa signal <SIGNAL> <id|name|all>...");
  }
  const name = parseSignal(signal);
  const result = await call(ctx, "signal", {
    signal: name,
    targets,
  });
  if (ctx.json) print(JSON.stringify(result));
  else print(`Sent ${result.signal} to ${result.ids.join(", ")}`);
  return 0;
}
