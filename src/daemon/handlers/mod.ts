/** The one op → handler table. Every op in protocol's OPS has exactly one entry. */
import type { OpHandler, OpTable } from "../../ipc/server.ts";
import { OPS } from "../../protocol/mod.ts";
import type { DaemonContext } from "../context.ts";
import { appHandlers } from "./apps.ts";
import { daemonHandlers } from "./daemon.ts";
import { observeHandlers } from "./observe.ts";
import { queryHandlers } from "./query.ts";
import { webHandlers } from "./web.ts";

export function buildOpTable(ctx: DaemonContext): OpTable {
  const table = {
    ...daemonHandlers(ctx),
    ...resyncingTriggers(ctx, appHandlers(ctx)),
    ...queryHandlers(ctx),
    ...observeHandlers(ctx),
    ...webHandlers(ctx),
  };
  assertMatchesOps(Object.keys(table));
  return Object.freeze(table);
}

/** A handler without an op in OPS, or an op without a handler, is a bug: refuse to start. */
function assertMatchesOps(names: string[]): void {
  const missing = OPS.filter((op) => !names.includes(op));
  const extra = names.filter((name) => !(OPS as readonly string[]).includes(name));
  if (missing.length || extra.length) {
    throw new TypeError(
      `Op table and OPS differ: no handler for [${missing}], not in OPS: [${extra}]`,
    );
  }
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
