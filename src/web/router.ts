/**
 * One request in, one response out: the Host check (DNS rebinding), static files (no secrets in
 * them, so no token), then the token check, then `/metrics` and the API. Nothing reaches an op
 * before the token matched. The token travels in the Authorization header; only the event
 * stream takes it in the URL, because EventSource cannot send headers. A POST must say
 * `Content-Type: application/json`, which a cross-site form or a no-preflight fetch cannot.
 */
import type { OpTable } from "../ipc/server.ts";
import { AdasaError } from "../protocol/mod.ts";
import { callOp, type Endpoint, findEndpoint, streamOp } from "./api.ts";
import { ASSETS } from "./assets.ts";
import { type DaemonFigures, renderMetrics } from "./metrics.ts";
import { parseParams } from "./params.ts";
import {
  errorResponse,
  HttpError,
  jsonResponse,
  responseForError,
  SECURITY_HEADERS,
} from "./responses.ts";
import { sseResponse } from "./sse.ts";
import { tokensMatch } from "./token.ts";
import { hostAllowed } from "./host_check.ts";
import type { InstanceInfo } from "../protocol/mod.ts";

/** What the router needs from the server that owns it. */
export interface RouterOptions {
  ops: OpTable;
  token: string;
  metricsPublic: boolean;
  /** Open event streams; the server aborts them when it stops. */
  streams: Set<AbortController>;
  /** The address the server is bound to, and this machine's name: Hosts it answers to. */
  boundHost: string;
  machine: string;
}

const MAX_BODY_BYTES = 1024 * 1024;
const PAGE_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/** Answers one request. Never throws. */
export async function route(req: Request, options: RouterOptions): Promise<Response> {
  try {
    const url = new URL(req.url);
    const host = req.headers.get("host");
    if (!hostAllowed(host, options.boundHost, options.machine)) {
      return errorResponse(
        "FORBIDDEN_HOST",
        `Host ${
          JSON.stringify((host ?? "").slice(0, 100))
        } is not this server's: use localhost, an IP address or ${options.machine}`,
      );
    }
    const asset = Object.hasOwn(ASSETS, url.pathname) ? ASSETS[url.pathname] : undefined;
    if (asset && (req.method === "GET" || req.method === "HEAD")) {
      return new Response(req.method === "HEAD" ? null : asset.body, {
        headers: {
          ...SECURITY_HEADERS,
          "content-type": asset.type,
          "content-security-policy": PAGE_POLICY,
        },
      });
    }
    const isMetrics = url.pathname === "/metrics";
    const found = isMetrics ? null : findEndpoint(url.pathname);
    const queryToken = found?.endpoint.stream === "sse" && req.method === "GET";
    if (!(isMetrics && options.metricsPublic) && !authorized(req, url, options.token, queryToken)) {
      return errorResponse("UNAUTHORIZED", unauthorizedMessage(url, queryToken));
    }
    if (isMetrics) return await metrics(req, url, options);
    if (!found) return errorResponse("NOT_FOUND", `No endpoint ${url.pathname.slice(0, 200)}`);
    if (req.method !== found.endpoint.method) {
      return errorResponse("METHOD_NOT_ALLOWED", `${url.pathname} takes ${found.endpoint.method}`);
    }
    const args = {
      ...await argsOf(req, url, found.endpoint),
      ...(found.target === undefined ? {} : { target: found.target }),
      ...found.endpoint.fixed,
    };
    return await dispatch(req, found.endpoint, args, options);
  } catch (error) {
    return responseForError(error);
  }
}

/** The bearer header; the `token` query parameter only where `queryToken` allows it. */
function authorized(req: Request, url: URL, token: string, queryToken: boolean): boolean {
  const header = req.headers.get("authorization");
  const bearer = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (bearer !== undefined && tokensMatch(bearer, token)) return true;
  const query = queryToken ? url.searchParams.get("token") : null;
  return query !== null && tokensMatch(query, token);
}

function unauthorizedMessage(url: URL, queryToken: boolean): string {
  if (!queryToken && url.searchParams.has("token")) {
    return "A token in the URL is accepted only by GET /api/logs/follow (EventSource cannot send headers): send Authorization: Bearer <token>";
  }
  return "Missing or wrong token: send Authorization: Bearer <token> (see web.token in the Adasa home)";
}

async function argsOf(
  req: Request,
  url: URL,
  endpoint: Endpoint,
): Promise<Record<string, unknown>> {
  if (endpoint.method === "GET") return parseParams(url.searchParams, endpoint.params ?? {});
  const unexpected = [...url.searchParams.keys()].find((k) => k !== "token");
  if (unexpected) {
    throw new AdasaError("INVALID_ARGUMENT", `Parameter "${unexpected}": send it in the JSON body`);
  }
  const type = req.headers.get("content-type");
  if ((type ?? "").split(";")[0]!.trim().toLowerCase() !== "application/json") {
    throw new HttpError(
      "UNSUPPORTED_MEDIA_TYPE",
      `POST ${url.pathname} needs Content-Type: application/json, got ${
        JSON.stringify((type ?? "none").slice(0, 80))
      }`,
    );
  }
  const body = await readJsonBody(req);
  const allowed = endpoint.body ?? [];
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw new AdasaError(
        "INVALID_ARGUMENT",
        `Body field "${key.slice(0, 64)}": unknown (accepted: ${allowed.join(", ")})`,
      );
    }
  }
  return body;
}

async function readJsonBody(req: Request): Promise<Record<string, unknown>> {
  const text = await readLimited(req);
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AdasaError("INVALID_ARGUMENT", `Body: not JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AdasaError("INVALID_ARGUMENT", "Body: expected a JSON object");
  }
  return value as Record<string, unknown>;
}

async function readLimited(req: Request): Promise<string> {
  if (!req.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new AdasaError("FRAME_TOO_LARGE", `Body: larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(bytes);
}

async function dispatch(
  req: Request,
  endpoint: Endpoint,
  args: Record<string, unknown>,
  options: RouterOptions,
): Promise<Response> {
  if (endpoint.stream !== "sse") {
    const data = await callOp(options.ops, endpoint.op, { args, signal: req.signal });
    return jsonResponse(data);
  }
  // Validate targets and filters with the same handler before the 200 of an event stream is
  // sent: an error after that could only travel as an event.
  await callOp(options.ops, endpoint.op, {
    args: { ...args, follow: false, lines: 0 },
    signal: req.signal,
  });
  const abort = new AbortController();
  options.streams.add(abort);
  abort.signal.addEventListener("abort", () => options.streams.delete(abort), { once: true });
  req.signal.addEventListener("abort", () => abort.abort(), { once: true });
  return sseResponse(streamOp(options.ops, endpoint.op, { args, signal: abort.signal }), abort);
}

async function metrics(req: Request, url: URL, options: RouterOptions): Promise<Response> {
  if (req.method !== "GET") return errorResponse("METHOD_NOT_ALLOWED", "/metrics takes GET");
  parseParams(url.searchParams, {});
  const signal = req.signal;
  const rows = await callOp(options.ops, "list", { args: {}, signal }) as InstanceInfo[];
  const daemon = await callOp(options.ops, "daemon_status", { args: {}, signal });
  return new Response(renderMetrics(rows, daemon as DaemonFigures), {
    headers: { ...SECURITY_HEADERS, "content-type": "text/plain; version=0.0.4; charset=utf-8" },
  });
}
