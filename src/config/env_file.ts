/**
 * A `.env` file reader: `KEY=value` lines, `export KEY=value`, `#` comments and blank lines.
 * Values are literal (no `${VAR}` expansion inside the file) except for quoting: '...' is taken
 * as written, "..." understands \n, \t, \" and \\. An unquoted value ends at ` #`.
 */

/** Parsed variables, or the first bad line. */
export type EnvFileResult =
  | { ok: true; vars: Record<string, string> }
  | { ok: false; line: number; message: string };

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$/;

/** Parses the text of a `.env` file. */
export function parseEnvFile(text: string): EnvFileResult {
  const vars: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (/^\s*(#.*)?$/.test(raw)) continue;
    const match = LINE.exec(raw);
    if (!match) return { ok: false, line: i + 1, message: "expected KEY=value" };
    const value = unquote(match[2]!);
    if (value === null) return { ok: false, line: i + 1, message: "unterminated quote" };
    vars[match[1]!] = value;
  }
  return { ok: true, vars };
}

function unquote(text: string): string | null {
  const quote = text[0];
  if (quote === "'" || quote === '"') {
    const end = text.lastIndexOf(quote);
    if (end === 0) return null;
    const inner = text.slice(1, end);
    if (quote === "'") return inner;
    return inner.replace(/\\([nt"\\])/g, (_, c: string) => ({ n: "\n", t: "\t" })[c] ?? c);
  }
  const comment = text.search(/\s#/);
  return comment < 0 ? text : text.slice(0, comment).trimEnd();
}
