/**
 * The handler of each op, typed by the protocol's OpMap: a unary op returns its reply, a
 * streaming op yields its events. Arguments arrive unchecked from the socket (the handler checks
 * each field it reads), so `args` is a plain record here rather than the op's `args` type.
 */
import type { RequestContext } from "../../ipc/server.ts";
import type { Op, OpEvent, OpReply, StreamOp } from "../../protocol/mod.ts";

/** The handler of op `K`. */
export type Handler<K extends Op> = K extends StreamOp ? {
    kind: "stream";
    run(args: Record<string, unknown>, ctx: RequestContext): AsyncIterable<OpEvent<K>>;
  }
  : {
    kind: "unary";
    run(args: Record<string, unknown>, ctx: RequestContext): OpReply<K> | Promise<OpReply<K>>;
  };

/** The handlers of the ops `K`: a group of the table. */
export type Handlers<K extends Op> = { [P in K]: Handler<P> };

/** The whole table: one handler for every op, checked by the compiler. */
export type HandlerTable = Handlers<Op>;
