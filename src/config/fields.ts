/**
 * The fields a config file's app may have, in every accepted spelling, derived from the
 * settings table (src/model/settings.ts): Adasa's own names (AppSpec's), pm2's ecosystem names
 * and the predecessor's `[[processes]]` names. All formats share it, so a field means the same
 * thing in JSON, YAML, TOML and JavaScript.
 */
import { envMap, type ParseContext, type Setting, SETTINGS, type Value } from "../model/mod.ts";
import { FieldError } from "./_readers.ts";
import type { AppExtras } from "./types.ts";

/** One app of a file as its fields are read. */
export interface AppDraft {
  /** AppSpec fields set by the file. */
  spec: Record<string, unknown>;
  extras: AppExtras;
  /** The file field that set each spec or extras field: to name it in messages. */
  source: Record<string, string>;
  env: Record<string, string>;
  /** `env_<profile>` maps by profile name. */
  profiles: Record<string, Record<string, string>>;
  /** Warnings as `field: message`. */
  warnings: string[];
}

/** An empty draft. */
export function newDraft(): AppDraft {
  return { spec: {}, extras: {}, source: {}, env: {}, profiles: {}, warnings: [] };
}

type Apply = (value: unknown, draft: AppDraft, key: string, cpuCount: number) => void;

function setter(setting: Setting, value: Value): Apply {
  return (raw, draft, key, cpus) => {
    const parsed = value.parse(raw, { cpus } satisfies ParseContext);
    if (parsed === undefined) return; // `wait_ready: false`, `autorestart: true`: nothing to set
    const field = setting.field;
    const other = draft.source[field];
    if (other !== undefined && other !== key) {
      // pm2 files often give two spellings of one setting (merge_logs and combine_logs): the
      // same value twice says one thing; different values are a conflict.
      const set = setting.extra
        ? (draft.extras as Record<string, unknown>)[field]
        : draft.spec[field];
      if (JSON.stringify(set) === JSON.stringify(parsed)) return;
      throw new FieldError(`conflicts with ${other}; give only one of them`);
    }
    draft.source[field] = key;
    if (setting.extra) (draft.extras as Record<string, unknown>)[field] = parsed;
    else draft.spec[field] = parsed;
  };
}

function fieldTable(): Record<string, Apply> {
  const table: Record<string, Apply> = {};
  for (const setting of SETTINGS) {
    if (!setting.doc) continue; // not a field users write (base_env)
    table[setting.field] = setter(setting, setting.value);
    for (const [alias, own] of Object.entries(setting.aliases ?? {})) {
      table[alias] = setter(setting, own ?? setting.value);
    }
  }
  // env is layered with env_file and env_<profile> by map_app.
  table.env = (v, d, _k, cpus) => void (d.env = envMap.parse(v, { cpus }));
  table.env_file = () => {}; // read before the others: its variables are seen by ${VAR}
  return table;
}

/** Every supported field, by the name the file uses. */
export const FIELDS: Readonly<Record<string, Apply>> = fieldTable();

/**
 * pm2 fields Adasa does not honour: a warning naming each (an error with --strict), and the
 * app starts without them.
 */
export const PM2_UNSUPPORTED: ReadonlySet<string> = new Set([
  "name_prefix",
  "filter_env",
  "namespace",
  "install_url",
  "disable_logs",
  "log_type",
  "pid_file",
  "pid",
  "source_map_support",
  "disable_source_map_support",
  "vizion",
  "watch_delay",
  "watch_options",
  "execute_command",
  "force",
  "append_env_to_name",
  "post_update",
  "trace",
  "disable_trace",
  "v8",
  "event_loop_inspector",
  "deep_monitoring",
  "pmx",
  "automation",
  "treekill",
  "username",
  "uid",
  "user",
  "gid",
  "windowsHide",
  "kill_retry_time",
  "write",
  "io",
  "autostart",
]);

/**
 * Reads one field into the draft. `env_<profile>` maps are kept by profile; pm2 fields that
 * Adasa does not honour and unknown fields become warnings.
 *
 * @throws {FieldError} for a bad value
 */
export function applyField(
  key: string,
  value: unknown,
  draft: AppDraft,
  cpuCount: number,
): void {
  const apply = Object.hasOwn(FIELDS, key) ? FIELDS[key] : undefined;
  if (apply) return apply(value, draft, key, cpuCount);
  const profile = /^env_(.+)$/.exec(key);
  if (profile) {
    draft.profiles[profile[1]!] = envMap.parse(value, { cpus: cpuCount });
  } else if (PM2_UNSUPPORTED.has(key)) {
    draft.warnings.push(`${key}: not supported by Adasa; ignored`);
  } else {
    draft.warnings.push(`${key}: unknown field; ignored`);
  }
}
