/** Ops of the web dashboard: web_start, web_stop. The server itself lives in src/web. */
import type { OpHandler } from "../../ipc/server.ts";
import { settingsFromArgs } from "../../web/mod.ts";
import type { DaemonContext } from "../context.ts";

export function webHandlers(ctx: DaemonContext): Record<string, OpHandler> {
  return {
    web_start: { kind: "unary", run: (args) => ctx.web.start(settingsFromArgs(args)) },
    web_stop: { kind: "unary", run: async () => ({ stopped: await ctx.web.stop() }) },
  };
}
