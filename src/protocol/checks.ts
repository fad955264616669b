/**
 * Validation and defaults of the readiness, liveness and dependency fields of an app
 * definition; called by normalizeAppSpec, the one validator.
 */
import { AdasaError } from "./errors.ts";
import {
  type Check,
  DEPENDENCY_CONDITIONS,
  type DependencyCondition,
  type Liveness,
  type Readiness,
  READINESS_KINDS,
} from "./messages.ts";

/** Defaults of a liveness check, documented in the README. */
export const LIVENESS_DEFAULTS = {
  interval_ms: 10_000,
  timeout_ms: 2_000,
  failure_threshold: 3,
} as const;

function fail(field: string, message: string): never {
  throw new AdasaError("INVALID_ARGUMENT", `${field}: ${message}`);
}

function text(value: unknown, field: string): string {
  if (typeof value !== "string" || value.length === 0) fail(field, "expected a non-empty string");
  return value;
}

function port(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > 65_535) {
    fail(field, `expected a port from 1 to 65535, got ${JSON.stringify(value)}`);
  }
  return value;
}

function asMap(value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail(field, "expected a map");
  }
  return value as Record<string, unknown>;
}

function check(raw: Record<string, unknown>, field: string): Check {
  switch (raw.kind) {
    case "http": {
      const url = text(raw.url, `${field}.url`);
      if (!/^https?:\/\/[^/]/.test(url)) {
        fail(`${field}.url`, `expected an http(s) URL, got "${url}"`);
      }
      return { kind: "http", url };
    }
    case "tcp":
      return {
        kind: "tcp",
        host: raw.host === undefined ? "127.0.0.1" : text(raw.host, `${field}.host`),
        port: port(raw.port, `${field}.port`),
      };
    case "command":
      return { kind: "command", command: text(raw.command, `${field}.command`) };
  }
  fail(`${field}.kind`, `expected http, tcp or command, got ${JSON.stringify(raw.kind)}`);
}

/**
 * Validates `readiness` (default `{ kind: "uptime" }`).
 *
 * @throws {AdasaError} INVALID_ARGUMENT naming the bad field
 */
export function normalizeReadiness(value: unknown): Readiness {
  if (value === undefined || value === null) return { kind: "uptime" };
  const raw = asMap(value, "readiness");
  switch (raw.kind) {
    case "uptime":
    case "notify":
    case "message":
      return { kind: raw.kind };
    case "log_line": {
      const pattern = text(raw.pattern, "readiness.pattern");
      try {
        new RegExp(pattern);
      } catch (error) {
        fail("readiness.pattern", `invalid regular expression: ${(error as Error).message}`);
      }
      return { kind: "log_line", pattern };
    }
    case "http":
    case "tcp":
    case "command":
      return check(raw, "readiness");
  }
  fail(
    "readiness.kind",
    `expected one of ${READINESS_KINDS.join(", ")}, got ${JSON.stringify(raw.kind)}`,
  );
}

function bounded(raw: Record<string, unknown>, key: string, min: number, fallback: number): number {
  const value = raw[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    fail(`liveness.${key}`, `expected an integer of at least ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Validates `liveness` (default null: no check).
 *
 * @throws {AdasaError} INVALID_ARGUMENT naming the bad field
 */
export function normalizeLiveness(value: unknown): Liveness | null {
  if (value === undefined || value === null) return null;
  const raw = asMap(value, "liveness");
  return {
    ...check(raw, "liveness"),
    interval_ms: bounded(raw, "interval_ms", 10, LIVENESS_DEFAULTS.interval_ms),
    timeout_ms: bounded(raw, "timeout_ms", 1, LIVENESS_DEFAULTS.timeout_ms),
    failure_threshold: bounded(raw, "failure_threshold", 1, LIVENESS_DEFAULTS.failure_threshold),
  };
}

/**
 * Validates `depends_on`: a list of app names (each `ready`), or a map name -> condition.
 *
 * @throws {AdasaError} INVALID_ARGUMENT naming the bad entry
 */
export function normalizeDependsOn(
  value: unknown,
  self: string,
): Record<string, DependencyCondition> {
  if (value === undefined || value === null) return {};
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((name) => [name, "ready"])
    : Object.entries(asMap(value, "depends_on"));
  const out: Record<string, DependencyCondition> = {};
  for (const [name, condition] of entries) {
    if (typeof name !== "string" || name.length === 0) {
      fail("depends_on", `expected app names, got ${JSON.stringify(name)}`);
    }
    if (name === self) fail("depends_on", `"${self}" cannot depend on itself`);
    if (!DEPENDENCY_CONDITIONS.includes(condition as DependencyCondition)) {
      fail(
        `depends_on.${name}`,
        `expected one of ${DEPENDENCY_CONDITIONS.join(", ")}, got ${JSON.stringify(condition)}`,
      );
    }
    out[name] = condition as DependencyCondition;
  }
  return out;
}
