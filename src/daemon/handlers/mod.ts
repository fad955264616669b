/**
 * The one op → handler table. Its type has a key for every op of the protocol's OpMap, so a
 * missing, extra or misspelt handler, or a reply of the wrong shape, fails `deno check`. Every
 * request's arguments are checked here, once, by its op's schema, before its handler runs.
 */
import type { OpHandler, OpTable } from "../../ipc/server.ts";
import { type Op, parseOpArgs } from "../../protocol/mod.ts";
import type { DaemonContext } from "../context.ts";
import { appHandlers } from "./apps.ts";
import { daemonHandlers } from "./daemon.ts";
import { observeHandlers } from "./observe.ts";
import { queryHandlers } from "./query.ts";
import type { Handler, HandlerTable } from "./_types.ts";
import { webHandlers } from "./web.ts";

export function buildOpTable(ctx: DaemonContext): OpTable {
  const table: HandlerTable = {
    ...daemonHandlers(ctx),
    ...appHandlers(ctx),
    ...queryHandlers(ctx),
    ...observeHandlers(ctx),
    ...webHandlers(ctx),
  };
  return Object.freeze(
    Object.fromEntries(
      (Object.keys(table) as Op[]).map((op) => [op, checked(op, table[op])]),
    ),
  );
}

/**
 * The handler of `op` behind the check of its arguments. `never`: the compiler cannot pair a
 * union of ops with a union of handlers, but parseOpArgs returns exactly `OpArgs<op>`.
 */
function checked(op: Op, handler: Handler<Op>): OpHandler {
  if (handler.kind === "stream") {
    return { kind: "stream", run: (args, req) => handler.run(parseOpArgs(op, args) as never, req) };
  }
  return { kind: "unary", run: (args, req) => handler.run(parseOpArgs(op, args) as never, req) };
}
