/**
 * Strict reading of query parameters into op arguments: an unknown parameter, a repeated
 * single-valued one, or a bad value is INVALID_ARGUMENT naming the parameter, never ignored.
 */
import { AdasaError } from "../protocol/mod.ts";
import { parseTimeSpec } from "../model/time.ts";

/** How one parameter is read. */
export type ParamKind =
  | { kind: "targets" }
  | { kind: "time" }
  | { kind: "integer"; min: number; max: number }
  | { kind: "string"; maxLength: number }
  | { kind: "boolean" }
  | { kind: "choice"; values: readonly string[] };

/** Parameters an endpoint accepts, by name (the same name as the op's argument). */
export type ParamSpec = Readonly<Record<string, ParamKind>>;

/** Accepted on every request, and never passed on: the page's way of sending the token. */
const AUTH_PARAM = "token";
const MAX_TARGETS = 1_000;

function invalidParam(name: string, why: string): AdasaError {
  return new AdasaError("INVALID_ARGUMENT", `Parameter "${name}": ${why}`);
}

/**
 * Reads `params` against `spec`.
 *
 * @returns the op arguments
 * @throws {AdasaError} INVALID_ARGUMENT naming the first bad parameter
 */
export function parseParams(
  params: URLSearchParams,
  spec: ParamSpec,
  now: number = Date.now(),
): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const name of new Set(params.keys())) {
    if (name === AUTH_PARAM) continue;
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!kind) {
      const known = Object.keys(spec).join(", ") || "none";
      throw invalidParam(name, `unknown parameter (accepted: ${known})`);
    }
    const values = params.getAll(name);
    if (kind.kind === "targets") {
      args[name] = parseTargets(name, values);
      continue;
    }
    if (values.length > 1) throw invalidParam(name, "given more than once");
    args[name] = parseValue(name, values[0] ?? "", kind, now);
  }
  return args;
}

function parseTargets(name: string, values: string[]): string[] {
  const targets = values.flatMap((v) => v.split(",")).map((t) => t.trim());
  if (targets.some((t) => t === "")) throw invalidParam(name, "an empty target");
  if (targets.length > MAX_TARGETS) throw invalidParam(name, `more than ${MAX_TARGETS} targets`);
  return targets;
}

function parseValue(name: string, raw: string, kind: ParamKind, now: number): unknown {
  switch (kind.kind) {
    case "time":
      return parseTime(name, raw, now);
    case "integer": {
      const value = Number(raw);
      if (!/^\d{1,15}$/.test(raw) || value < kind.min || value > kind.max) {
        throw invalidParam(name, `expected a whole number from ${kind.min} to ${kind.max}`);
      }
      return value;
    }
    case "string":
      if (raw.length > kind.maxLength) {
        throw invalidParam(name, `longer than ${kind.maxLength} characters`);
      }
      return raw;
    case "boolean":
      if (raw === "true" || raw === "1" || raw === "") return true;
      if (raw === "false" || raw === "0") return false;
      throw invalidParam(name, `expected true or false, got "${raw.slice(0, 40)}"`);
    case "choice":
      if (!kind.values.includes(raw)) {
        throw invalidParam(name, `expected ${kind.values.join(" or ")}, got "${raw.slice(0, 40)}"`);
      }
      return raw;
  }
}

/** A time spec as `adasa --since` takes it, or milliseconds since the epoch. */
function parseTime(name: string, raw: string, now: number): number {
  if (/^\d{10,15}$/.test(raw)) return Number(raw);
  try {
    return parseTimeSpec(raw, now);
  } catch (error) {
    throw invalidParam(name, (error as Error).message);
  }
}
