/**
 * The value types of readiness, liveness and dependencies, in AppSpec's form (`{ kind: ... }`)
 * and in the shorter forms of config files (`ready_tcp: "db:5432"`, `health: { http: url }`).
 */
import {
  type Check,
  DEPENDENCY_CONDITIONS,
  type DependencyCondition,
  type Liveness,
  type Readiness,
  READINESS_KINDS,
} from "./app_spec.ts";
import { describe, ms, reject, SettingError, type Value } from "./values.ts";

const DURATION = ms(86_400_000);

/** Defaults of a liveness check, documented in the README. */
export const LIVENESS_DEFAULTS = {
  interval_ms: 10_000,
  timeout_ms: 2_000,
  failure_threshold: 3,
} as const;

function fail(subpath: string, message: string): never {
  throw new SettingError(message, subpath);
}

function text(value: unknown, subpath: string): string {
  if (typeof value !== "string" || value.length === 0) {
    fail(subpath, `expected a non-empty string, got ${describe(value)}`);
  }
  return value;
}

function asMap(value: unknown, expected = "a map"): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) reject(expected, value);
  return value as Record<string, unknown>;
}

function port(value: unknown, subpath: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > 65_535) {
    fail(subpath, `expected a port from 1 to 65535, got ${JSON.stringify(value)}`);
  }
  return value;
}

function check(raw: Record<string, unknown>): Check {
  switch (raw.kind) {
    case "http": {
      const url = text(raw.url, ".url");
      if (!/^https?:\/\/[^/]/.test(url)) fail(".url", `expected an http(s) URL, got "${url}"`);
      return { kind: "http", url };
    }
    case "tcp":
      return {
        kind: "tcp",
        host: raw.host === undefined ? "127.0.0.1" : text(raw.host, ".host"),
        port: port(raw.port, ".port"),
      };
    case "command":
      return { kind: "command", command: text(raw.command, ".command") };
  }
  fail(".kind", `expected http, tcp or command, got ${JSON.stringify(raw.kind)}`);
}

const CHECK_JSON = { type: "object", required: ["kind"], properties: { kind: { type: "string" } } };

/** `readiness`: a map with `kind`, or the kind's name alone (`"notify"`). */
export const readiness: Value<Readiness> = {
  expected: `a map with kind ${READINESS_KINDS.join(", ")}`,
  json: { anyOf: [{ enum: ["uptime", "notify", "message"] }, CHECK_JSON] },
  parse(value) {
    const raw = typeof value === "string" ? { kind: value } : asMap(value);
    switch (raw.kind) {
      case "uptime":
      case "notify":
      case "message":
        return { kind: raw.kind };
      case "log_line": {
        const pattern = text(raw.pattern, ".pattern");
        try {
          new RegExp(pattern);
        } catch (error) {
          fail(".pattern", `invalid regular expression: ${(error as Error).message}`);
        }
        return { kind: "log_line", pattern };
      }
      case "http":
      case "tcp":
      case "command":
        return check(raw);
    }
    fail(".kind", `expected one of ${READINESS_KINDS.join(", ")}, got ${JSON.stringify(raw.kind)}`);
  },
};

/** `5432`, `"5432"`, `"db:5432"` or `{ host, port }` as a tcp check. */
function tcp(value: unknown): Record<string, unknown> {
  if (typeof value === "number") return { kind: "tcp", port: value };
  if (typeof value === "string") {
    const match = /^(?:(.+):)?(\d+)$/.exec(value);
    if (!match) reject('a port or "host:port"', value);
    return { kind: "tcp", ...(match[1] ? { host: match[1] } : {}), port: Number(match[2]) };
  }
  return { kind: "tcp", ...asMap(value, 'a port or "host:port"') };
}

/** The config spellings of one readiness kind (`ready_http: url`), as AppSpec's readiness. */
export function readinessAlias(
  kind: "log_line" | "http" | "tcp" | "command" | "message",
): Value<Readiness | undefined> {
  const shapes: Record<typeof kind, (v: unknown) => unknown> = {
    log_line: (v) => ({ kind, pattern: v }),
    http: (v) => ({ kind, url: v }),
    tcp,
    command: (v) => ({ kind, command: v }),
    message: (v) => {
      if (typeof v !== "boolean") reject("true or false", v);
      return v ? { kind } : undefined;
    },
  };
  return {
    expected: kind === "message" ? "true or false" : "a string",
    json: kind === "message"
      ? { type: "boolean" }
      : kind === "tcp"
      ? { anyOf: [{ type: "integer" }, { type: "string" }, { type: "object" }] }
      : { type: "string", minLength: 1 },
    parse(value, ctx) {
      const shaped = shapes[kind](value);
      return shaped === undefined ? undefined : readiness.parse(shaped, ctx);
    },
  };
}

function bounded(raw: Record<string, unknown>, key: string, min: number, fallback: number): number {
  const value = raw[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    fail(`.${key}`, `expected an integer of at least ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

const TIMING: Record<string, string> = { interval: "interval_ms", timeout: "timeout_ms" };

/** A map in the file's form (`{ http: url, interval: "5s" }`) rewritten with `kind`. */
function fileLiveness(raw: Record<string, unknown>): Record<string, unknown> {
  const kinds = ["http", "tcp", "command"].filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1) throw new SettingError("expected exactly one of http, tcp or command");
  const known = new Set([...kinds, "interval", "timeout", "failure_threshold"]);
  const unknown = Object.keys(raw).find((k) => !known.has(k));
  if (unknown) fail(`.${unknown}`, "unknown field; use interval, timeout, failure_threshold");
  const kind = kinds[0]!;
  const out: Record<string, unknown> = kind === "tcp"
    ? tcp(raw.tcp)
    : kind === "http"
    ? { kind, url: raw.http }
    : { kind, command: raw.command };
  for (const [key, field] of Object.entries(TIMING)) {
    if (raw[key] === undefined) continue;
    try {
      out[field] = DURATION.parse(raw[key], { cpus: 1 });
    } catch (error) {
      if (error instanceof SettingError) fail(`.${key}`, error.message);
      throw error;
    }
  }
  if (raw.failure_threshold !== undefined) out.failure_threshold = raw.failure_threshold;
  return out;
}

/** `liveness`: a check with its timing, null for none. */
export const liveness: Value<Liveness | null> = {
  expected: "a map with http, tcp or command",
  json: { anyOf: [{ type: "object" }, { type: "null" }] },
  parse(value) {
    if (value === null) return null;
    const given = asMap(value, "a map with http, tcp or command");
    const raw = given.kind === undefined ? fileLiveness(given) : given;
    return {
      ...check(raw),
      interval_ms: bounded(raw, "interval_ms", 10, LIVENESS_DEFAULTS.interval_ms),
      timeout_ms: bounded(raw, "timeout_ms", 1, LIVENESS_DEFAULTS.timeout_ms),
      failure_threshold: bounded(raw, "failure_threshold", 1, LIVENESS_DEFAULTS.failure_threshold),
    };
  },
};

/** `depends_on`: a list of app names (each `ready`), or a map name -> condition. */
export const dependsOn: Value<Record<string, DependencyCondition>> = {
  expected: "a list of app names or a map of name to condition",
  json: {
    anyOf: [
      { type: "array", items: { type: "string", minLength: 1 } },
      { type: "object", additionalProperties: { enum: [...DEPENDENCY_CONDITIONS] } },
    ],
  },
  parse(value) {
    const entries: Array<[unknown, unknown]> = Array.isArray(value)
      ? value.map((name) => [name, "ready"])
      : Object.entries(asMap(value, "a list of app names or a map of name to condition"));
    const out: Record<string, DependencyCondition> = {};
    for (const [name, condition] of entries) {
      if (typeof name !== "string" || name.length === 0) {
        throw new SettingError(`expected app names, got ${JSON.stringify(name)}`);
      }
      if (!DEPENDENCY_CONDITIONS.includes(condition as DependencyCondition)) {
        fail(
          `.${name}`,
          `expected one of ${DEPENDENCY_CONDITIONS.join(", ")}, got ${JSON.stringify(condition)}`,
        );
      }
      out[name] = condition as DependencyCondition;
    }
    return out;
  },
};
