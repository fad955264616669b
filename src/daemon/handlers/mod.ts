/** The one op → handler table. Every op in protocol's OPS has exactly one entry. */
import type { OpTable } from "../../ipc/server.ts";
import type { DaemonContext } from "../context.ts";
import { appHandlers } from "./apps.ts";
import { daemonHandlers } from "./daemon.ts";
import { observeHandlers } from "./observe.ts";
import { queryHandlers } from "./query.ts";

export function buildOpTable(ctx: DaemonContext): OpTable {
  return Object.freeze({
    ...daemonHandlers(ctx),
    ...appHandlers(ctx),
    ...queryHandlers(ctx),
    ...observeHandlers(ctx),
  });
}
