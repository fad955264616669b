/**
 * Text to data for JSON and TOML config files, and data to TOML text for exports. The one
 * import of smol-toml and of json5, so replacing either touches one file.
 */
import JSON5 from "json5";
import { parse, stringify } from "smol-toml";

/** Where in a file a problem is: 1-based line and column (column 0 when only the line is known). */
export interface TextPosition {
  line: number;
  column: number;
}

/** Parsed data, or one line saying why the text is not valid, and where when known. */
export type ParseResult =
  | { ok: true; data: unknown }
  | { ok: false; message: string; at?: TextPosition };

/** `file:line:col: message`, the way compilers name a place in a file. */
export function problemAt(file: string, failure: { message: string; at?: TextPosition }): string {
  const at = failure.at;
  if (!at) return `${file}: ${failure.message}`;
  return `${file}:${at.line}${at.column > 0 ? `:${at.column}` : ""}: ${failure.message}`;
}

/**
 * Parses JSON as pm2 reads its `.json` files: pm2 evaluates them as a JavaScript object
 * literal, so `//` and `/* *\/` comments, trailing commas, single quotes and bare keys are
 * accepted (JSON5 is that subset, without running code). Strict JSON takes the fast path.
 */
export function parseJsonText(text: string): ParseResult {
  try {
    return { ok: true, data: JSON.parse(text) };
  } catch {
    // Not strict JSON: JSON5 either accepts it or says where it goes wrong.
  }
  try {
    return { ok: true, data: JSON5.parse(text) };
  } catch (error) {
    const e = error as SyntaxError & { lineNumber?: number; columnNumber?: number };
    const why = e.message.replace(/^JSON5: /, "").replace(/ at \d+:\d+$/, "")
      .replace(/'\\(["'])'/, "'$1'"); // JSON5 escapes a quote it names
    const at = e.lineNumber === undefined
      ? {}
      : { at: { line: e.lineNumber, column: e.columnNumber ?? 0 } };
    return { ok: false, message: `invalid JSON: ${why}`, ...at };
  }
}

/** Parses TOML; smol-toml's multi-line message is cut to its first line. */
export function parseTomlText(text: string): ParseResult {
  try {
    return { ok: true, data: parse(text) };
  } catch (error) {
    const e = error as Error & { line?: number; column?: number };
    const why = e.message.split("\n")[0]!.replace(/^Invalid TOML document:\s*/, "");
    const at = e.line === undefined ? {} : { at: { line: e.line, column: e.column ?? 0 } };
    return { ok: false, message: `invalid TOML: ${why}`, ...at };
  }
}

/** Writes plain data (maps, lists, strings, numbers, booleans) as TOML. */
export function stringifyToml(data: Record<string, unknown>): string {
  return stringify(data);
}
