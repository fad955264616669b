/**
 * The JSON API: each endpoint names the op it calls and how its arguments are read (query
 * parameters or a JSON body). Every call goes through the daemon's own op table, so the HTTP
 * API and the CLI cannot behave differently.
 */
import type { OpTable, RequestContext, StreamItem } from "../ipc/server.ts";
import { AdasaError } from "../protocol/mod.ts";
import { MAX_LOG_LINES } from "../model/limits.ts";
import type { ParamSpec } from "./params.ts";

/** How an endpoint takes its arguments and shapes its reply. */
export interface Endpoint {
  method: "GET" | "POST";
  op: string;
  /** GET: the accepted query parameters. */
  params?: ParamSpec;
  /** POST: the accepted body fields. */
  body?: readonly string[];
  /** Stream ops: collect the items into one array, or relay them as server-sent events. */
  stream?: "collect" | "sse";
  /** Fixed arguments added to what the request gives. */
  fixed?: Record<string, unknown>;
}

const TIME_WINDOW: ParamSpec = { since: { kind: "time" }, until: { kind: "time" } };
const LOG_PARAMS: ParamSpec = {
  targets: { kind: "targets" },
  ...TIME_WINDOW,
  lines: { kind: "integer", min: 0, max: MAX_LOG_LINES },
  grep: { kind: "string", maxLength: 1_000 },
  regex: { kind: "boolean" },
  stream: { kind: "choice", values: ["out", "err"] },
};

/** Endpoints by path; `/api/describe/<target>` is matched by prefix. */
export const ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  "/api/list": { method: "GET", op: "list", params: {} },
  "/api/daemon": { method: "GET", op: "daemon_status", params: {} },
  "/api/describe/": { method: "GET", op: "describe", params: { show_env: { kind: "boolean" } } },
  "/api/start": { method: "POST", op: "start", body: ["app", "targets", "config"] },
  "/api/stop": { method: "POST", op: "stop", body: ["targets", "force"] },
  "/api/restart": { method: "POST", op: "restart", body: ["targets", "update_env"] },
  "/api/reload": { method: "POST", op: "reload", body: ["targets", "update_env"] },
  "/api/delete": { method: "POST", op: "delete", body: ["targets"] },
  "/api/events": {
    method: "GET",
    op: "events",
    params: {
      targets: { kind: "targets" },
      ...TIME_WINDOW,
      limit: { kind: "integer", min: 1, max: 100_000 },
    },
  },
  "/api/stats": {
    method: "GET",
    op: "stats",
    params: {
      targets: { kind: "targets" },
      ...TIME_WINDOW,
      max_points: { kind: "integer", min: 1, max: 100_000 },
    },
  },
  "/api/logs": { method: "GET", op: "logs", params: LOG_PARAMS, stream: "collect" },
  "/api/logs/follow": {
    method: "GET",
    op: "logs",
    params: LOG_PARAMS,
    stream: "sse",
    fixed: { follow: true },
  },
};

/** The endpoint of a path, and the target when the path carries one. */
export function findEndpoint(path: string): { endpoint: Endpoint; target?: string } | null {
  if (Object.hasOwn(ENDPOINTS, path)) return { endpoint: ENDPOINTS[path]! };
  const prefix = "/api/describe/";
  if (path.startsWith(prefix) && path.length > prefix.length) {
    let target: string;
    try {
      target = decodeURIComponent(path.slice(prefix.length));
    } catch (error) {
      throw new AdasaError("INVALID_ARGUMENT", 'Parameter "target": not valid percent-encoding', {
        cause: error,
      });
    }
    return { endpoint: ENDPOINTS[prefix]!, target };
  }
  return null;
}

function requestContext(op: string, args: Record<string, unknown>, signal: AbortSignal) {
  const ctx: RequestContext = { signal, request: { v: 1, id: 0, op, args } };
  return ctx;
}

/** Runs a unary op, or drains a stream op into one array of its items' data. */
export async function callOp(
  ops: OpTable,
  op: string,
  options: { args: Record<string, unknown>; signal: AbortSignal },
): Promise<unknown> {
  const handler = Object.hasOwn(ops, op) ? ops[op] : undefined;
  if (!handler) throw new AdasaError("UNKNOWN_OP", `Unknown op "${op}"`);
  const ctx = requestContext(op, options.args, options.signal);
  if (handler.kind === "unary") return await handler.run(options.args, ctx);
  const out: unknown[] = [];
  for await (const item of handler.run(options.args, ctx)) {
    if (Array.isArray(item.data)) out.push(...item.data);
    else out.push(item.data);
  }
  return out;
}

/** The items of a stream op. Caller must abort `signal` to end it. */
export function streamOp(
  ops: OpTable,
  op: string,
  options: { args: Record<string, unknown>; signal: AbortSignal },
): AsyncIterable<StreamItem> {
  const handler = Object.hasOwn(ops, op) ? ops[op] : undefined;
  if (!handler || handler.kind !== "stream") {
    throw new AdasaError("UNKNOWN_OP", `Op "${op}" does not stream`);
  }
  return handler.run(options.args, requestContext(op, options.args, options.signal));
}
