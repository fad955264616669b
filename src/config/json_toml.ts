/**
 * Text to data for JSON and TOML config files, and data to TOML text for exports. The one
 * import of smol-toml, so replacing it touches one file.
 */
import { parse, stringify } from "smol-toml";
import { locateJsonError } from "./_json_position.ts";

/** Parsed data, or one line saying where and why the text is not valid. */
export type ParseResult = { ok: true; data: unknown } | { ok: false; message: string };

/** Parses JSON; the message names line and column (V8 does not always). */
export function parseJsonText(text: string): ParseResult {
  try {
    return { ok: true, data: JSON.parse(text) };
  } catch (error) {
    const at = locateJsonError(text);
    if (!at) return { ok: false, message: `invalid JSON: ${(error as Error).message}` };
    return {
      ok: false,
      message: `invalid JSON at line ${at.line}, column ${at.column}: unexpected ${at.found}`,
    };
  }
}

/** Parses TOML; smol-toml's multi-line message is cut to its first line. */
export function parseTomlText(text: string): ParseResult {
  try {
    return { ok: true, data: parse(text) };
  } catch (error) {
    const e = error as Error & { line?: number; column?: number };
    const why = e.message.split("\n")[0]!.replace(/^Invalid TOML document:\s*/, "");
    const where = e.line !== undefined ? ` at line ${e.line}, column ${e.column}` : "";
    return { ok: false, message: `invalid TOML${where}: ${why}` };
  }
}

/** Writes plain data (maps, lists, strings, numbers, booleans) as TOML. */
export function stringifyToml(data: Record<string, unknown>): string {
  return stringify(data);
}
