/**
 * The one op → handler table. Its type has a key for every op of the protocol's OpMap, so a
 * missing, extra or misspelt handler, or a reply of the wrong shape, fails `deno check`.
 */
import type { OpTable } from "../../ipc/server.ts";
import type { DaemonContext } from "../context.ts";
import { appHandlers } from "./apps.ts";
import { daemonHandlers } from "./daemon.ts";
import { observeHandlers } from "./observe.ts";
import { queryHandlers } from "./query.ts";
import type { HandlerTable } from "./_types.ts";
import { webHandlers } from "./web.ts";

export function buildOpTable(ctx: DaemonContext): OpTable {
  const table: HandlerTable = {
    ...daemonHandlers(ctx),
    ...appHandlers(ctx),
    ...queryHandlers(ctx),
    ...observeHandlers(ctx),
    ...webHandlers(ctx),
  };
  return Object.freeze(table);
}
