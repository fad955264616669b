/**
 * Text to data for YAML config files (`ecosystem.yml`, `.yaml`), which pm2 reads with js-yaml's
 * default (YAML 1.2 core) schema; the `yaml` package's default is the same schema. The one
 * import of yaml.
 */
import { parse, stringify, YAMLParseError } from "yaml";
import type { ParseResult } from "./json_toml.ts";

/**
 * Parses one YAML document; several documents in one file are an error, as in pm2. Merge keys
 * (`<<: *defaults`) work, as js-yaml's default schema has them; an alias bomb is refused.
 */
export function parseYamlText(text: string): ParseResult {
  try {
    return { ok: true, data: parse(text, { merge: true }) };
  } catch (error) {
    if (!(error instanceof YAMLParseError)) {
      return { ok: false, message: `invalid YAML: ${(error as Error).message.split("\n")[0]}` };
    }
    const why = error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    const pos = error.linePos?.[0];
    const at = pos ? { at: { line: pos.line, column: pos.col } } : {};
    return { ok: false, message: `invalid YAML: ${why}`, ...at };
  }
}

/**
 * Data to YAML text, for exports; keys keep their order, long strings are not folded, no
 * anchors. Strings YAML 1.1 reads as other types (`no`, `on`, `0755`) are quoted, as Compose's
 * and Kubernetes' readers are YAML 1.1 ones: unquoted, `restart: no` is the boolean false.
 */
export function stringifyYaml(data: unknown): string {
  return stringify(data, { lineWidth: 0, aliasDuplicateObjects: false, version: "1.1" });
}
