/**
 * What the settings table says about itself: the README's field table and the JSON Schema of
 * config files (`adasa schema`), so neither can drift from what Adasa accepts.
 */
import { SETTINGS } from "./settings.ts";
import type { JsonSchema } from "./values.ts";

/** Config-file fields that are not AppSpec fields; the config loaders read them. */
export const FILE_ONLY_ROWS: ReadonlyArray<[string, string, string]> = [
  ["`env_<profile>`", "merged over `env` with `--env <profile>`", "—"],
  [
    "`env_file`",
    "a `.env` file (or a list of them), relative to the folder `adasa start` runs in",
    "none",
  ],
];

/** The README's table of fields, one line per documented setting, in table order. */
export function readmeRows(): string[] {
  const rows: string[] = [];
  for (const s of SETTINGS) {
    if (!s.doc) continue;
    const aliases = Object.keys(s.aliases ?? {});
    const names = `\`${s.field}\`` +
      (aliases.length ? ` (${aliases.map((a) => `\`${a}\``).join(", ")})` : "");
    rows.push(`| ${names} | ${s.doc.meaning} | ${s.doc.default} |`);
    if (s.field === "env") rows.push(...FILE_ONLY_ROWS.map((r) => `| ${r.join(" | ")} |`));
  }
  return rows;
}

/** A JSON Schema (2020-12) of Adasa and pm2 config files, for editors. */
export function configJsonSchema(): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const commandNames: string[] = [];
  for (const s of SETTINGS) {
    if (!s.doc) continue;
    properties[s.field] = { ...s.value.json, description: s.doc.meaning };
    for (const [alias, own] of Object.entries(s.aliases ?? {})) {
      properties[alias] = { ...(own ?? s.value).json, description: `Same as ${s.field}` };
    }
    if (s.field === "command") commandNames.push(s.field, ...Object.keys(s.aliases ?? {}));
  }
  properties.env_file = {
    anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }],
    description: FILE_ONLY_ROWS[1]![1],
  };
  const app: JsonSchema = {
    type: "object",
    properties,
    patternProperties: { "^env_.+$": { type: "object", description: FILE_ONLY_ROWS[0]![1] } },
    // Other pm2 fields are accepted with a warning, so an editor must not reject them.
    additionalProperties: true,
    anyOf: commandNames.map((name) => ({ required: [name] })),
  };
  const apps = { type: "array", items: { $ref: "#/$defs/app" } };
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "Adasa config file (adasa.json, ecosystem.config.js, process.json)",
    $defs: { app },
    anyOf: [
      {
        type: "object",
        properties: { apps, processes: apps, deploy: { type: "object" } },
        anyOf: [{ required: ["apps"] }, { required: ["processes"] }],
      },
      apps,
    ],
  };
}
