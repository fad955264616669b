/**
 * `${VAR}` and `${VAR:-default}` in config values, the subset of the shell and of Docker
 * Compose that people write in config files. `$$` is a literal `$` (as in Compose); a `$` not
 * followed by `{` or `$` is literal, so `$1` or `$HOME` in a shell line pass through untouched.
 */

/** Result of expanding one string. */
export interface Expansion {
  value: string;
  /** Syntax errors; when there are any, `value` is the input unchanged. */
  errors: string[];
  /** Variables referenced without a default and not set: they expand to "". */
  unset: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Expands the references in `text` from `lookup`. */
export function expandString(text: string, lookup: Record<string, string>): Expansion {
  const errors: string[] = [];
  const unset: string[] = [];
  let out = "";
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf("$", i);
    if (dollar < 0 || dollar === text.length - 1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === "$") {
      out += "$";
      i = dollar + 2;
    } else if (next === "{") {
      const close = text.indexOf("}", dollar + 2);
      if (close < 0) {
        errors.push(`unterminated "\${" at character ${dollar + 1}`);
        break;
      }
      out += reference(text.slice(dollar + 2, close), lookup, errors, unset);
      i = close + 1;
    } else {
      out += "$";
      i = dollar + 1;
    }
  }
  return { value: errors.length ? text : out, errors, unset };
}

function reference(
  body: string,
  lookup: Record<string, string>,
  errors: string[],
  unset: string[],
): string {
  const sep = body.indexOf(":-");
  const name = sep < 0 ? body : body.slice(0, sep);
  if (!NAME.test(name)) {
    errors.push(`expected \${NAME} or \${NAME:-default}, got "\${${body}}"`);
    return "";
  }
  const value = Object.hasOwn(lookup, name) ? lookup[name] : undefined;
  if (sep >= 0) return value === undefined || value === "" ? body.slice(sep + 2) : value;
  if (value === undefined) {
    unset.push(name);
    return "";
  }
  return value;
}

/** Receives what expanding a tree finds, with the path of the value it was found in. */
export interface ExpandReport {
  error(path: string, message: string): void;
  unset(path: string, name: string): void;
}

/**
 * Expands every string in a tree of plain data (objects, arrays, strings), leaving keys and
 * other values as they are. Paths are written `env.URL`, `args[2]`.
 */
export function expandTree(
  value: unknown,
  lookup: Record<string, string>,
  path: string,
  report: ExpandReport,
): unknown {
  if (typeof value === "string") {
    const result = expandString(value, lookup);
    for (const e of result.errors) report.error(path, e);
    for (const name of result.unset) report.unset(path, name);
    return result.value;
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => expandTree(v, lookup, `${path}[${i}]`, report));
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = expandTree(v, lookup, path ? `${path}.${k}` : k, report);
    }
    return out;
  }
  return value;
}
