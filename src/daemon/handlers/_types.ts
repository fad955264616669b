/**
 * The handler of each op, typed by the protocol's OpMap: a unary op returns its reply, a
 * streaming op yields its events. A handler gets its op's arguments already checked against the
 * op's schema (src/protocol/op_args.ts, at the table's boundary), so reading a field its op does
 * not declare fails `deno check`.
 */
import type { RequestContext } from "../../ipc/server.ts";
import type { Op, OpArgs, OpEvent, OpReply, StreamOp } from "../../protocol/mod.ts";

/** The handler of op `K`. */
export type Handler<K extends Op> = K extends StreamOp ? {
    kind: "stream";
    run(args: OpArgs<K>, ctx: RequestContext): AsyncIterable<OpEvent<K>>;
  }
  : {
    kind: "unary";
    run(args: OpArgs<K>, ctx: RequestContext): OpReply<K> | Promise<OpReply<K>>;
  };

/** The handlers of the ops `K`: a group of the table. */
export type Handlers<K extends Op> = { [P in K]: Handler<P> };

/** The whole table: one handler for every op, checked by the compiler. */
export type HandlerTable = Handlers<Op>;
