/**
 * The value types of app settings: each parses what a user may write (in a config file, on the
 * wire or on the command line, pm2's loose forms included) into Adasa's form, says what it
 * expects for the one-line message, and describes itself as JSON Schema.
 */
import { splitWords } from "./shell_words.ts";

/** A bad value; `subpath` (like `.PORT` or `[2]`) extends the field's path in the message. */
export class SettingError extends Error {
  override name = "SettingError";
  constructor(message: string, readonly subpath = "") {
    super(message);
  }
}

/** What parsing may depend on besides the value. */
export interface ParseContext {
  /** What `instances: "max"` means. */
  cpus: number;
}

/** A JSON Schema fragment. */
export type JsonSchema = Record<string, unknown>;

/** One value type. `parse` returns undefined for a value that sets nothing (`wait_ready: false`). */
export interface Value<T = unknown> {
  /** What a good value looks like: "an integer from 0 to 16". */
  expected: string;
  parse(raw: unknown, ctx: ParseContext): T;
  json: JsonSchema;
}

/** How a value is named in a message: JSON for scalars, its kind for the rest. */
export function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "object") return "a map";
  return JSON.stringify(value) ?? String(value);
}

/** Throws the one-line message of a value that is not `expected`. */
export function reject(expected: string, value: unknown): never {
  throw new SettingError(`expected ${expected}, got ${describe(value)}`);
}

function value<T>(
  expected: string,
  json: JsonSchema,
  parse: (raw: unknown, ctx: ParseContext) => T,
): Value<T> {
  return { expected, json, parse };
}

/** A whole number written as a number or as digits (pm2 and the command line give strings). */
function wholeNumber(raw: unknown): number | null {
  if (typeof raw === "number") return Number.isSafeInteger(raw) ? raw : null;
  if (typeof raw === "string" && /^-?\d+$/.test(raw.trim())) return Number(raw);
  return null;
}

const INT_JSON = { anyOf: [{ type: "integer" }, { type: "string", pattern: "^-?\\d+$" }] };

/** An integer from `min` to `max`. */
export function int(min: number, max: number): Value<number> {
  const expected = `an integer from ${min} to ${max}`;
  return value(expected, { ...INT_JSON, minimum: min, maximum: max }, (raw) => {
    const n = wholeNumber(raw);
    if (n === null || n < min || n > max) reject(expected, raw);
    return n;
  });
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds: a number, or "500", "500ms", "5s", "2m", "1h" (pm2's time fields). */
export function ms(max: number, min = 0): Value<number> {
  const expected = 'milliseconds or a duration like "5s"';
  const json = {
    anyOf: [{ type: "integer", minimum: min }, {
      type: "string",
      pattern: "^\\d+(\\.\\d+)?(ms|s|m|h)?$",
    }],
  };
  return value(expected, json, (raw) => {
    const match = typeof raw === "string" ? /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim()) : null;
    const n = typeof raw === "number" && Number.isSafeInteger(raw)
      ? raw
      : match
      ? Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? "ms"]!)
      : null;
    if (n === null) reject(expected, raw);
    if (n < min || n > max) reject(`${min} to ${max} ms`, raw);
    return n;
  });
}

/** Seconds (the predecessor's `*_secs` fields), as milliseconds. */
export const seconds: Value<number> = value(
  "a number of seconds",
  { type: "number", minimum: 0 },
  (raw) => {
    if (typeof raw !== "number" || !Number.isFinite(raw) || raw < 0) {
      reject("a number of seconds", raw);
    }
    return Math.round(raw * 1_000);
  },
);

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
};

/** Bytes: a number, or "512K", "300M", "1G" (powers of 1024 whether M, MB or MiB, as pm2). */
export function bytes(min = 1, max = Number.MAX_SAFE_INTEGER): Value<number> {
  const expected = 'bytes or a size like "300M"';
  const json = {
    anyOf: [{ type: "integer", minimum: min }, {
      type: "string",
      pattern: "^\\s*\\d+(\\.\\d+)?\\s*([kKmMgGtT](i?[bB])?|[bB])?\\s*$",
    }],
  };
  return value(expected, json, (raw) => {
    const match = typeof raw === "string"
      ? /^(\d+(?:\.\d+)?)\s*(?:([KMGT])(?:I?B)?|B)?$/i.exec(raw.trim())
      : null;
    const n = typeof raw === "number" && Number.isSafeInteger(raw)
      ? raw
      : match
      ? Math.round(Number(match[1]) * SIZE_UNITS[(match[2] ?? "").toUpperCase()]!)
      : null;
    if (n === null) reject(expected, raw);
    if (n < min || n > max) reject(`a size from ${min} to ${max} bytes`, raw);
    return n;
  });
}

/** A percent of one core above 0: 80, "80", "80%". */
export const percent: Value<number> = value(
  "a percent of one core above 0",
  {
    anyOf: [{ type: "number", exclusiveMinimum: 0 }, {
      type: "string",
      pattern: "^\\d+(\\.\\d+)?%?$",
    }],
  },
  (raw) => {
    const match = typeof raw === "string" ? /^(\d+(?:\.\d+)?)\s*%?$/.exec(raw.trim()) : null;
    const n = typeof raw === "number" ? raw : match ? Number(match[1]) : NaN;
    if (!(n > 0) || !Number.isFinite(n)) reject("a percent of one core above 0", raw);
    return n;
  },
);

/** true or false. */
export const bool: Value<boolean> = value("true or false", { type: "boolean" }, (raw) => {
  if (typeof raw !== "boolean") reject("true or false", raw);
  return raw;
});

/** A non-empty string. */
export const text: Value<string> = value(
  "a non-empty string",
  { type: "string", minLength: 1 },
  (raw) => {
    if (typeof raw !== "string" || raw.length === 0) reject("a non-empty string", raw);
    return raw;
  },
);

/** A file path: absolute, or relative to the app's cwd (resolved with it). */
export const path: Value<string> = value(
  "a file path",
  { type: "string", minLength: 1 },
  (raw) => {
    if (typeof raw !== "string" || raw.length === 0 || raw.includes("\0")) {
      reject("a file path", raw);
    }
    return raw;
  },
);

/** One of `choices`; `aliases` maps other spellings (pm2's `cluster_mode`) to one of them. */
export function choice<T extends string>(
  choices: readonly T[],
  aliases: Readonly<Record<string, T>> = {},
): Value<T> {
  const expected = `one of ${choices.join(", ")}`;
  const all = [...choices, ...Object.keys(aliases)];
  return value(expected, { enum: all }, (raw) => {
    if (typeof raw === "string" && Object.hasOwn(aliases, raw)) return aliases[raw]!;
    if (!choices.includes(raw as T)) reject(expected, raw);
    return raw as T;
  });
}

/** An environment variable name. */
export const varName: Value<string> = value(
  "an environment variable name",
  { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
  (raw) => {
    if (typeof raw !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw)) {
      reject("an environment variable name", raw);
    }
    return raw;
  },
);

/** A list of strings; one string is a list of one. */
export const strings: Value<string[]> = value(
  "a string or a list of strings",
  { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
  (raw) => {
    if (typeof raw === "string") return [raw];
    if (!Array.isArray(raw)) reject("a string or a list of strings", raw);
    raw.forEach((item, i) => {
      if (typeof item !== "string") {
        throw new SettingError(`expected a string, got ${describe(item)}`, `[${i}]`);
      }
    });
    return [...raw];
  },
);

/** A list of strings, or one string split into words like a shell (see shell_words.ts). */
export const words: Value<string[]> = value(
  "a string or a list of strings",
  strings.json,
  (raw, ctx) => {
    if (typeof raw !== "string") return strings.parse(raw, ctx);
    const split = splitWords(raw);
    if ("error" in split) throw new SettingError(split.error);
    return split.words;
  },
);

/** Exit codes: one integer from 0 to 255 or a list of them. */
export const exitCodes: Value<number[]> = value(
  "an exit code (0 to 255) or a list of them",
  {
    anyOf: [
      { type: "integer", minimum: 0, maximum: 255 },
      { type: "array", items: { type: "integer", minimum: 0, maximum: 255 } },
    ],
  },
  (raw) => {
    const list = Array.isArray(raw) ? raw : [raw];
    for (const code of list) {
      if (typeof code !== "number" || !Number.isSafeInteger(code) || code < 0 || code > 255) {
        reject("an exit code (0 to 255) or a list of them", raw);
      }
    }
    return [...list] as number[];
  },
);

/**
 * Environment variables. Numbers and booleans become strings, and other values JSON, as pm2
 * does (`PORT: 3000`, `FLAGS: { a: 1 }` -> `'{"a":1}'`); null is refused naming the variable.
 */
export const envMap: Value<Record<string, string>> = value(
  "a map of variables",
  {
    type: "object",
    additionalProperties: { type: ["string", "number", "boolean", "object", "array"] },
  },
  (raw) => {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      reject("a map of variables", raw);
    }
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(raw)) {
      if (key.length === 0 || key.includes("=") || key.includes("\0")) {
        throw new SettingError(`invalid variable name ${JSON.stringify(key)}`);
      }
      if (v === null || v === undefined) {
        throw new SettingError(
          `expected a string, number or boolean, got ${describe(v)}`,
          `.${key}`,
        );
      }
      out[key] = typeof v === "object" ? JSON.stringify(v) : String(v);
      if (out[key]!.includes("\0")) {
        throw new SettingError("contains a NUL character", `.${key}`);
      }
    }
    return out;
  },
);

/** Most instances of one app. */
export const MAX_INSTANCES = 1024;

/**
 * pm2's `instances`: a positive integer or its digits; "max" or 0 for one per CPU; -1 for one
 * per CPU but one (at least 1).
 */
export const instances: Value<number> = value(
  `an integer from 1 to ${MAX_INSTANCES}, "max", 0 or -1`,
  {
    anyOf: [{ type: "integer", minimum: -1, maximum: MAX_INSTANCES }, {
      type: "string",
      pattern: "^(max|-?\\d+)$",
    }],
  },
  (raw, ctx) => {
    const n = raw === "max" ? 0 : wholeNumber(raw);
    if (n === 0) return ctx.cpus;
    if (n === -1) return Math.max(1, ctx.cpus - 1);
    if (n === null || n < 1 || n > MAX_INSTANCES) {
      reject(`an integer from 1 to ${MAX_INSTANCES}, "max", 0 or -1`, raw);
    }
    return n;
  },
);

/** `value`, or null: the type of a setting that is off unless given. */
export function nullable<T>(inner: Value<T>): Value<T | null> {
  return value(
    inner.expected,
    { anyOf: [inner.json, { type: "null" }] },
    (raw, ctx) => raw === null ? null : inner.parse(raw, ctx),
  );
}
