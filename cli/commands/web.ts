/** `adasa web`: serve the dashboard, the HTTP API and /metrics from the daemon, or stop them. */
import { print, printError } from "../render/io.ts";
import { usageError } from "../usage_error.ts";
import { call, intFlag } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";
import type { OpArgs } from "../../src/protocol/ops.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const v = parsed.values;
  if (parsed.positionals.length) throw usageError("adasa web takes no arguments");
  if (v.stop === true) {
    const reply = await call(ctx, "web_stop", {});
    print(
      ctx.json
        ? JSON.stringify(reply)
        : reply.stopped
        ? "Web server stopped"
        : "No web server was running",
    );
    return 0;
  }
  const port = intFlag(parsed, "port", 0, 65_535);
  const args: OpArgs<"web_start"> = {
    ...(port === undefined ? {} : { port }),
    ...(typeof v.host === "string" ? { host: v.host } : {}),
    ...(typeof v.token === "string" ? { token: v.token } : {}),
    metrics_public: v["metrics-public"] === true,
  };
  const status = await call(ctx, "web_start", args);
  for (const warning of status.warnings) printError(`Warning: ${warning}`);
  if (ctx.json) {
    print(JSON.stringify(status));
    return 0;
  }
  print(`Dashboard: ${status.url}`);
  print(`API:       http://${status.host}:${status.port}/api/list (Authorization: Bearer <token>)`);
  print(
    `Metrics:   http://${status.host}:${status.port}/metrics${
      status.metrics_public ? " (no token needed)" : ""
    }`,
  );
  print(`Token:     ${status.token_file} (mode 0600); "adasa web --stop" stops the server`);
  return 0;
}
