/** The one op → handler table. Every op in protocol's OPS has exactly one entry. */
import type { OpHandler, OpTable } from "../../ipc/server.ts";
import type { DaemonContext } from "../context.ts";
import { appHandlers } from "./apps.ts";
import { daemonHandlers } from "./daemon.ts";
import { observeHandlers } from "./observe.ts";
import { queryHandlers } from "./query.ts";
import { webHandlers } from "./web.ts";

export function buildOpTable(ctx: DaemonContext): OpTable {
  return Object.freeze({
    ...daemonHandlers(ctx),
    ...resyncingTriggers(ctx, appHandlers(ctx)),
    ...queryHandlers(ctx),
    ...observeHandlers(ctx),
    ...webHandlers(ctx),
  });
}

/** After any op that may change the apps, cron schedules and watchers follow. */
function resyncingTriggers(
  ctx: DaemonContext,
  handlers: Record<string, OpHandler>,
): Record<string, OpHandler> {
  const out: Record<string, OpHandler> = {};
  for (const [op, handler] of Object.entries(handlers)) {
    if (handler.kind !== "unary") {
      out[op] = handler;
      continue;
    }
    out[op] = {
      kind: "unary",
      run: async (args, req) => {
        try {
          return await handler.run(args, req);
        } finally {
          ctx.triggers.sync();
        }
      },
    };
  }
  return out;
}
