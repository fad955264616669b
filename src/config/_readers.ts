/**
 * Typed readers of config values. Each returns the value in Adasa's terms or throws a
 * FieldError whose message says what was expected and what the file has, so that the caller
 * can put the file, the app and the field path in front of it.
 */
import { MAX_INSTANCES } from "../protocol/mod.ts";
import { splitWords } from "./shell_words.ts";

/** A bad value; `subpath` (like `.PORT` or `[2]`) extends the field's path. */
export class FieldError extends Error {
  override name = "FieldError";
  constructor(message: string, readonly subpath = "") {
    super(message);
  }
}

/** How a value is named in a message: JSON for scalars, its kind for the rest. */
export function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "object") return "a map";
  return JSON.stringify(value) ?? String(value);
}

function fail(expected: string, value: unknown): never {
  throw new FieldError(`expected ${expected}, got ${describe(value)}`);
}

/** A non-empty string. */
export function readString(value: unknown): string {
  if (typeof value !== "string" || value.length === 0) fail("a non-empty string", value);
  return value;
}

/** true or false. */
export function readBool(value: unknown): boolean {
  if (typeof value !== "boolean") fail("true or false", value);
  return value;
}

/** An integer from `min` to `max`. */
export function readInt(value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(`an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** One of `choices`. */
export function readChoice<T extends string>(value: unknown, choices: readonly T[]): T {
  if (!choices.includes(value as T)) fail(`one of ${choices.join(", ")}`, value);
  return value as T;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds: a number, or a string like "500", "500ms", "5s", "2m", "1h" (pm2's min_uptime). */
export function readMs(value: unknown): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  const match = typeof value === "string" ? /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value) : null;
  if (!match) fail('milliseconds or a duration like "5s"', value);
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? "ms"]!);
}

/** Seconds (the predecessor's `*_secs` fields), returned as milliseconds. */
export function readSeconds(value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    fail("a number of seconds", value);
  }
  return Math.round(value * 1_000);
}

const BYTE_UNITS: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** Bytes: a number, or a string like "300M", "1G", "512K" (powers of 1024, as pm2). */
export function readBytes(value: unknown): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return value;
  const match = typeof value === "string" ? /^(\d+(?:\.\d+)?)\s*([KMG]?)B?$/i.exec(value) : null;
  if (!match || Number(match[1]) <= 0) fail('bytes or a size like "300M"', value);
  return Math.round(Number(match[1]) * BYTE_UNITS[match[2]!.toUpperCase()]!);
}

/** A list of strings, or one string split into words like a shell (see shell_words.ts). */
export function readWords(value: unknown): string[] {
  if (typeof value === "string") {
    const split = splitWords(value);
    if ("error" in split) throw new FieldError(split.error);
    return split.words;
  }
  return readStringList(value);
}

/** A list of strings; one string is a list of one. */
export function readStringList(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (!Array.isArray(value)) fail("a string or a list of strings", value);
  value.forEach((item, i) => {
    if (typeof item !== "string") {
      throw new FieldError(`expected a string, got ${describe(item)}`, `[${i}]`);
    }
  });
  return [...value];
}

/** Exit codes: one integer or a list of them. */
export function readExitCodes(value: unknown): number[] {
  const list = Array.isArray(value) ? value : [value];
  for (const code of list) {
    if (typeof code !== "number" || !Number.isSafeInteger(code) || code < 0 || code > 255) {
      fail("an exit code (0 to 255) or a list of them", value);
    }
  }
  return list as number[];
}

/**
 * Environment variables. Numbers and booleans become strings, as pm2 does (`PORT: 3000`);
 * anything else is an error naming the variable.
 */
export function readEnvMap(value: unknown): Record<string, string> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail("a map of variables", value);
  }
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key.length === 0 || key.includes("=") || key.includes("\0")) {
      throw new FieldError(`invalid variable name ${JSON.stringify(key)}`);
    }
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
      throw new FieldError(`expected a string, number or boolean, got ${describe(v)}`, `.${key}`);
    }
    out[key] = String(v);
  }
  return out;
}

/**
 * pm2's `instances`: a positive integer or its numeric string; "max" or 0 for one per CPU; -1 for one per CPU but
 * one (pm2's meaning), at least 1.
 */
export function readInstances(raw: unknown, cpuCount: number): number {
  const value = typeof raw === "string" && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (value === "max" || value === 0) return cpuCount;
  if (value === -1) return Math.max(1, cpuCount - 1);
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) {
    if (value > MAX_INSTANCES) fail(`at most ${MAX_INSTANCES} instances`, value);
    return value;
  }
  fail('a positive integer or "max"', raw);
}
