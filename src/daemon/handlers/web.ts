/** Ops of the web dashboard: web_start, web_stop. The server itself lives in src/web. */
import { settingsFromArgs } from "../../web/mod.ts";
import type { DaemonContext } from "../context.ts";
import type { Handlers } from "./_types.ts";

export function webHandlers(ctx: DaemonContext): Handlers<"web_start" | "web_stop"> {
  return {
    web_start: { kind: "unary", run: (args) => ctx.web.start(settingsFromArgs(args)) },
    web_stop: { kind: "unary", run: async () => ({ stopped: await ctx.web.stop() }) },
  };
}
