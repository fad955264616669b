/** `adasa kill`: pm2's name for stopping every app and then the daemon (`adasa daemon stop`). */
import { usageError } from "../usage_error.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  if (parsed.positionals.length) throw usageError("adasa kill takes no arguments");
  const daemon = await import("./daemon.ts");
  return await daemon.run({ ...parsed, command: "daemon", positionals: ["stop"] }, ctx);
}
