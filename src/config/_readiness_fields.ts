/**
 * The config fields of readiness, liveness and dependencies, in every accepted spelling. They
 * only reshape what the file says; normalizeAppSpec validates the result.
 */
import { describe, FieldError, readBool, readMs, readString } from "./_readers.ts";
import type { AppDraft } from "./fields.ts";

type Setter = (draft: AppDraft, field: string, value: unknown, key: string) => void;
type Apply = (value: unknown, draft: AppDraft, key: string) => void;

/** `5432`, `"5432"`, `"db:5432"` or `{ host, port }` as a tcp check. */
function readTcp(value: unknown): Record<string, unknown> {
  if (typeof value === "number") return { kind: "tcp", port: value };
  if (typeof value === "string") {
    const match = /^(?:(.+):)?(\d+)$/.exec(value);
    if (!match) throw new FieldError(`expected a port or "host:port", got ${describe(value)}`);
    return { kind: "tcp", ...(match[1] ? { host: match[1] } : {}), port: Number(match[2]) };
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return { kind: "tcp", ...(value as Record<string, unknown>) };
  }
  throw new FieldError(`expected a port or "host:port", got ${describe(value)}`);
}

/** A liveness map in the file's form (`{ http: url, interval: "5s" }`) or AppSpec's (`kind`). */
function readLiveness(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new FieldError(`expected a map with http, tcp or command, got ${describe(value)}`);
  }
  const raw = value as Record<string, unknown>;
  if (raw.kind !== undefined) return raw;
  const kinds = ["http", "tcp", "command"].filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1) throw new FieldError("expected exactly one of http, tcp or command");
  const known = new Set([...kinds, "interval", "timeout", "failure_threshold"]);
  const unknown = Object.keys(raw).find((k) => !known.has(k));
  if (unknown) {
    throw new FieldError(`unknown field; use interval, timeout, failure_threshold`, `.${unknown}`);
  }
  const check = kinds[0] === "http"
    ? { kind: "http", url: readString(raw.http) }
    : kinds[0] === "tcp"
    ? readTcp(raw.tcp)
    : { kind: "command", command: readString(raw.command) };
  const timing = (key: string, field: string) =>
    raw[key] === undefined ? {} : { [field]: readMs(raw[key]) };
  return {
    ...check,
    ...timing("interval", "interval_ms"),
    ...timing("timeout", "timeout_ms"),
    ...(raw.failure_threshold === undefined ? {} : { failure_threshold: raw.failure_threshold }),
  };
}

/** The fields, given the draft setter of fields.ts (which detects conflicting spellings). */
export function readinessFields(set: Setter): Record<string, Apply> {
  const readiness =
    (read: (value: unknown) => Record<string, unknown> | null): Apply => (value, draft, key) => {
      const spec = read(value);
      if (spec) set(draft, "readiness", spec, key);
    };
  const to = (field: string, read: (v: unknown) => unknown): Apply => (v, d, k) =>
    set(d, field, read(v), k);
  return {
    readiness: readiness((v) =>
      typeof v === "string" ? { kind: v } : (v as Record<string, unknown>)
    ),
    ready_log_line: readiness((v) => ({ kind: "log_line", pattern: readString(v) })),
    ready_http: readiness((v) => ({ kind: "http", url: readString(v) })),
    ready_tcp: readiness(readTcp),
    ready_command: readiness((v) => ({ kind: "command", command: readString(v) })),
    wait_ready: readiness((v) => readBool(v) ? { kind: "message" } : null),
    ready_timeout: to("ready_timeout_ms", readMs),
    ready_timeout_ms: to("ready_timeout_ms", readMs),
    listen_timeout: to("ready_timeout_ms", readMs),
    liveness: to("liveness", readLiveness),
    health: to("liveness", readLiveness),
    depends_on: to("depends_on", (v) => v),
  };
}
