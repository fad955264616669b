/**
 * The checks of every op's arguments, one schema per op, run once where a request is
 * dispatched: a handler gets its op's `OpArgs`, never the raw map. Each schema's type must be
 * exactly its op's `args` in ops.ts (both ways), so a field added to one and not the other fails
 * `deno check`. Absent and `null` fields are both left out, as msgpack clients send either.
 */
import { AdasaError } from "./errors.ts";
import type { Op, OpArgs } from "./ops.ts";
import { isPlainObject } from "./validate.ts";
import { MAX_LOG_LINES } from "../model/limits.ts";

/** Reads one value of type `T` at `path`, or throws INVALID_ARGUMENT naming it. */
export interface Schema<T> {
  parse(value: unknown, path: string): T;
  /** Makes `Schema<T>` invariant in `T`, so a schema that reads fewer fields does not fit. */
  readonly _exact?: (value: T) => T;
  readonly optional?: boolean;
  /** What the error says when the field is absent (default: "is required"). */
  readonly missing?: string;
}

/** Any schema, whatever it reads (Schema<T> is invariant, so no one Schema<X> covers all). */
interface AnySchema {
  parse(value: unknown, path: string): unknown;
  readonly optional?: boolean;
  readonly missing?: string;
}
type Shape = Record<string, AnySchema>;
type Out<S> = S extends { parse(value: unknown, path: string): infer T } ? T : never;
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends { optional: true } ? K : never;
}[keyof S];
type Flat<T> = { [K in keyof T]: T[K] };
type ShapeOut<S extends Shape> = Flat<
  & { [K in Exclude<keyof S, OptionalKeys<S>>]: Out<S[K]> }
  & { [K in OptionalKeys<S>]?: Out<S[K]> }
>;

function invalid(message: string): AdasaError {
  return new AdasaError("INVALID_ARGUMENT", message);
}

const string: Schema<string> = {
  parse(value, path) {
    if (typeof value !== "string") throw invalid(`${path} must be a string`);
    return value;
  },
};

const boolean: Schema<boolean> = {
  parse(value, path) {
    if (typeof value !== "boolean") throw invalid(`${path} must be a boolean`);
    return value;
  },
};

function integer(min: number, max: number): Schema<number> {
  return {
    parse(value, path) {
      if (typeof value !== "number" || !Number.isSafeInteger(value)) {
        throw invalid(`${path} must be an integer`);
      }
      if (value < min) throw invalid(`${path} must be at least ${min}, got ${value}`);
      if (value > max) throw invalid(`${path} must be at most ${max}, got ${value}`);
      return value;
    },
  };
}

/** Any safe integer: times in ms since the epoch. */
const time = integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);

const strings: Schema<string[]> = {
  parse(value, path) {
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
      throw invalid(`${path} must be an array of strings`);
    }
    return [...value];
  },
};

const stringMap: Schema<Record<string, string>> = {
  parse(value, path) {
    if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === "string")) {
      throw invalid(`${path} must be a map of strings`);
    }
    return { ...value } as Record<string, string>;
  },
};

/** A map read further by its op (a new app's settings go through the settings table). */
const map: Schema<Record<string, unknown>> = {
  parse(value, path) {
    if (!isPlainObject(value)) throw invalid(`${path} must be a map`);
    return value;
  },
};

function oneOf<const T extends string>(words: readonly T[]): Schema<T> {
  return {
    parse(value, path) {
      const text = string.parse(value, path);
      if (!(words as readonly string[]).includes(text)) {
        throw invalid(`${path} must be ${words.map((w) => `"${w}"`).join(" or ")}, got "${text}"`);
      }
      return text as T;
    },
  };
}

/** Ids, app names or `all`: at least one. */
const targets: Schema<string[]> = {
  missing: ": name an id, an app or all",
  parse(value, path) {
    const list = strings.parse(value, path);
    if (list.length === 0) throw invalid(`${path}${targets.missing}`);
    return list;
  },
};

function optional<T>(schema: Schema<T>): Schema<T> & { optional: true } {
  return { parse: schema.parse, optional: true };
}

function object<S extends Shape>(shape: S): Schema<ShapeOut<S>> {
  return {
    parse(value, path) {
      if (!isPlainObject(value)) throw invalid(`${path} must be a map`);
      const out: Record<string, unknown> = {};
      for (const [key, schema] of Object.entries(shape)) {
        const field = Object.hasOwn(value, key) ? value[key] : undefined;
        const name = path === "args" ? `args.${key}` : `${path}.${key}`;
        if (field === undefined || field === null) {
          if (schema.optional) continue;
          throw invalid(`${name}${schema.missing ?? " is required"}`);
        }
        out[key] = schema.parse(field, name);
      }
      return out as ShapeOut<S>;
    },
  };
}

/**
 * `form` when `key` is present (not null) and, with `values`, holds one of them; else `rest`:
 * start's app, config or targets, export's engine or file formats.
 */
function forms<A, B>(
  key: string,
  form: Schema<A>,
  rest: Schema<B>,
  values?: readonly string[],
): Schema<A | B> {
  return {
    parse(value, path) {
      const field = isPlainObject(value) ? value[key] : undefined;
      const chosen = field !== undefined && field !== null &&
        (!values || values.includes(field as string));
      return chosen ? form.parse(value, path) : rest.parse(value, path);
    },
  };
}

const none = object({});
const byTargets = { targets };
const updateEnv = { targets, update_env: optional(stringMap) };
const config = object({
  path: string,
  cwd: string,
  env: optional(stringMap),
  profile: optional(string),
  strict: optional(boolean),
});
const ENGINE_FORMATS = ["systemd", "compose", "kubernetes"] as const;
const span = {
  targets: optional(strings),
  since: optional(time),
  until: optional(time),
};

/** The schema of every op's arguments. */
export const OP_ARGS = {
  hello: none,
  ping: none,
  daemon_status: none,
  daemon_stop: none,
  start: forms(
    "config",
    object({ config, wait: optional(oneOf(["ready", "spawned"])) }),
    forms("app", object({ app: map }), object(byTargets)),
  ),
  stop: object({ ...byTargets, force: optional(boolean) }),
  restart: object(updateEnv),
  reload: forms("config", object({ config, prune: optional(boolean) }), object(updateEnv)),
  delete: object(byTargets),
  scale: object({ app: string, instances: integer(1, 1024) }),
  signal: object({ ...byTargets, signal: string }),
  reset: object(byTargets),
  list: none,
  describe: object({ target: string, show_env: optional(boolean) }),
  events: object({ ...span, limit: optional(integer(1, 100_000)) }),
  logs: object({
    ...span,
    lines: optional(integer(0, MAX_LOG_LINES)),
    stream: optional(oneOf(["out", "err"])),
    grep: optional(string),
    regex: optional(boolean),
    ignore_case: optional(boolean),
    follow: optional(boolean),
  }),
  flush: object({ targets: optional(strings) }),
  stats: object({ ...span, max_points: optional(integer(1, 100_000)) }),
  export: forms(
    "format",
    object({
      targets: optional(strings),
      format: oneOf(ENGINE_FORMATS),
      config: optional(config),
    }),
    object({ targets: optional(strings), format: optional(oneOf(["json", "toml"])) }),
    ENGINE_FORMATS,
  ),
  web_start: object({
    port: optional(integer(0, 65_535)),
    host: optional(string),
    token: optional(string),
    metrics_public: optional(boolean),
  }),
  web_stop: none,
} satisfies { [K in Op]: Schema<OpArgs<K>> };

type KeysOfAny<T> = T extends unknown ? keyof T : never;
type SameKeys<A, B> = [KeysOfAny<A>] extends [KeysOfAny<B>]
  ? [KeysOfAny<B>] extends [KeysOfAny<A>] ? true : false
  : false;
/** The ops whose schema reads other fields than their `args` declare (optional ones included). */
type Mismatched = {
  [K in Op]: SameKeys<Out<(typeof OP_ARGS)[K]>, OpArgs<K>> extends true ? never : K;
}[Op];
// Fails `deno check`, naming the op, when a schema and its op's args list different fields.
const _sameFields: [Mismatched] extends [never] ? true : Mismatched = true;

/**
 * Checks the arguments of a request for `op`.
 *
 * @param op the request's op
 * @param args the request's `args` map, as decoded
 * @returns the op's arguments, holding only the fields its schema declares
 * @throws {AdasaError} INVALID_ARGUMENT naming the first field that is wrong
 * @example
 * ```ts
 * parseOpArgs("stop", { targets: ["api"], force: true }); // { targets: ["api"], force: true }
 * ```
 */
export function parseOpArgs<K extends Op>(op: K, args: Record<string, unknown>): OpArgs<K> {
  return (OP_ARGS[op] as Schema<OpArgs<K>>).parse(args, "args");
}
