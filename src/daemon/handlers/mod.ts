/**
 * The one op → handler table. Its type has a key for every op of the protocol's OpMap, so a
 * missing, extra or misspelt handler, or a reply of the wrong shape, fails `deno check`.
 */
import type { OpTable } from "../../ipc/server.ts";
import type { DaemonContext } from "../context.ts";
import { appHandlers, type AppOp } from "./apps.ts";
import { daemonHandlers } from "./daemon.ts";
import { observeHandlers } from "./observe.ts";
import { queryHandlers } from "./query.ts";
import type { Handlers, HandlerTable } from "./_types.ts";
import { webHandlers } from "./web.ts";

export function buildOpTable(ctx: DaemonContext): OpTable {
  const table: HandlerTable = {
    ...daemonHandlers(ctx),
    ...resyncingTriggers(ctx, appHandlers(ctx)),
    ...queryHandlers(ctx),
    ...observeHandlers(ctx),
    ...webHandlers(ctx),
  };
  return Object.freeze(table);
}

/** After any op that may change the apps, cron schedules and watchers follow. */
function resyncingTriggers(ctx: DaemonContext, handlers: Handlers<AppOp>): Handlers<AppOp> {
  const out: Partial<Record<AppOp, Handlers<AppOp>[AppOp]>> = {};
  for (const op of Object.keys(handlers) as AppOp[]) {
    const handler = handlers[op];
    out[op] = {
      kind: "unary",
      run: async (args, req) => {
        try {
          return await handler.run(args, req);
        } finally {
          ctx.triggers.sync();
        }
      },
    } as Handlers<AppOp>[AppOp];
  }
  return out as Handlers<AppOp>;
}
