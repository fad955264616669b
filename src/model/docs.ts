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

/** The policy table's line of each policy setting, in the words of what it does to a process. */
const POLICIES: Readonly<Record<string, string>> = {
  restart:
    "`always`, `on_failure` (non-zero code or a signal), or `never`. A user's stop is never restarted.",
  stop_exit_codes: 'Exit codes that mean "done": never restarted (pm2\'s `stop_exit_codes`).',
  min_uptime_ms: "Up this long: `launching` becomes `online` and the unstable count resets.",
  max_restarts:
    "Exits before min uptime in a row before the instance is `errored` and left alone until the user starts or restarts it.",
  restart_delay_ms: "Wait before every restart. With 0, a crash after min uptime restarts at once.",
  backoff_initial_ms:
    "An exit before min uptime waits this long, then twice as long each time (plus `restart_delay_ms`).",
  backoff_max_ms: "The longest of those waits.",
  stop_signal: "Sent to the process group to stop it.",
  kill_timeout_ms: "Then SIGKILL to the group (pm2's default).",
  max_memory: "Resident memory of the whole process group allowed (pm2's `max_memory_restart`).",
  max_cpu: "Percent of one core the group may use.",
  limit_action: "What a violation does: `restart`, `stop` or `log`.",
  limit_samples:
    "Consecutive samples over a limit that make a violation (a `limit_exceeded` event with the figures).",
  cron_restart:
    "Restart on a cron schedule (5 fields, or 6 with seconds), checked by croner before it is stored.",
  watch:
    "Restart 500 ms after files change under the app's cwd (or the given paths); `node_modules` and `.git` are never followed.",
  ignore_watch: "Globs of changes that restart nothing.",
  log_rotate_bytes: "Start a new log file past this size.",
  log_retain_files:
    "The oldest log files of an app are deleted past this count or `log_retain_bytes`, so logs cannot fill the disk.",
  log_retain_bytes: "The most bytes of log files an app keeps.",
};

/** The README's policy table: each policy with the `adasa start` flags that set it. */
export function policyRows(): string[] {
  return SETTINGS.filter((s) => Object.hasOwn(POLICIES, s.field)).map((s) => {
    const flags = (s.flags ?? []).map((f) => `\`--${f.name}\``).join(", ") || "config file";
    return `| \`${s.field}\` | ${flags} | ${s.doc!.default} | ${POLICIES[s.field]} |`;
  });
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
