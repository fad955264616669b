/**
 * @module
 * The wire between `adasa` and its daemon: 4-byte big-endian length-prefixed msgpack frames,
 * `{ v, id, op, args }` requests, `{ id, ok, data | error }` replies and `{ id, event, data }`
 * stream frames. A leaf module: it imports nothing else of the project.
 *
 * @example
 * ```ts
 * import { encodeFrame, encodeMessage, PROTOCOL_VERSION } from "./mod.ts";
 * const bytes = encodeFrame(encodeMessage({ v: PROTOCOL_VERSION, id: 1, op: "ping", args: {} }));
 * ```
 */
export * from "./errors.ts";
export * from "./frame.ts";
export * from "./codec.ts";
export * from "./messages.ts";
export * from "./ops.ts";
export * from "./op_args.ts";
export * from "./validate.ts";
export * from "./version.ts";
export * from "./app_spec.ts";
export * from "./checks.ts";
