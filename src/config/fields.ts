/**
 * The one table of app fields a config file may have, in every accepted spelling: Adasa's own
 * names (those of AppSpec), pm2's ecosystem names, and the predecessor's `[[processes]]` names.
 * All formats share it, so a field means the same thing in JSON, TOML and JavaScript.
 */
import { AdasaError, parseSignal, RESTART_MODES } from "../protocol/mod.ts";
import {
  FieldError,
  readBool,
  readBytes,
  readChoice,
  readEnvMap,
  readExitCodes,
  readInstances,
  readInt,
  readMs,
  readSeconds,
  readString,
  readStringList,
  readWords,
} from "./_readers.ts";
import { readinessFields } from "./_readiness_fields.ts";
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

function set(draft: AppDraft, field: string, value: unknown, key: string, extra = false): void {
  const other = draft.source[field];
  if (other !== undefined && other !== key) {
    throw new FieldError(`conflicts with ${other}; give only one of them`);
  }
  draft.source[field] = key;
  if (extra) (draft.extras as Record<string, unknown>)[field] = value;
  else draft.spec[field] = value;
}

const to = (field: string, read: (v: unknown) => unknown): Apply => (v, d, k) =>
  set(d, field, read(v), k);
const extra = (field: keyof AppExtras, read: (v: unknown) => unknown): Apply => (v, d, k) =>
  set(d, field, read(v), k, true);

function readSignal(value: unknown): string {
  try {
    return parseSignal(readString(value));
  } catch (error) {
    if (error instanceof AdasaError) throw new FieldError(error.message.replace(/^U/, "u"));
    throw error;
  }
}

function readPercent(value: unknown): number {
  if (typeof value !== "number" || !(value > 0)) {
    throw new FieldError(`expected a percent of one core above 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function readCron(value: unknown): string {
  const text = readString(value).trim();
  if (!/^(\S+\s+){4,5}\S+$/.test(text) || /[^\d*,/\-A-Za-z?#\s]/.test(text)) {
    throw new FieldError(`expected a cron pattern of 5 or 6 fields, got ${JSON.stringify(value)}`);
  }
  return text;
}

function readWatch(value: unknown): boolean | string[] {
  return typeof value === "boolean" ? value : readStringList(value);
}

function readExecMode(value: unknown): string {
  return readChoice(value, ["fork", "fork_mode", "cluster", "cluster_mode"]).replace(/_mode$/, "");
}

function readVarName(value: unknown): string {
  const name = readString(value);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new FieldError(`expected an environment variable name, got ${JSON.stringify(name)}`);
  }
  return name;
}

const ms = (field: string) => to(field, readMs);
const outFile = to("out_file", readString);
const errorFile = to("error_file", readString);
const logFile = to("log_file", readString);
const mergeLogs = to("merge_logs", readBool);
const execMode = to("exec_mode", readExecMode);
const command = to("command", readString);

/** Every supported field, by the name the file uses. */
export const FIELDS: Readonly<Record<string, Apply>> = {
  name: to("name", readString),
  command,
  script: command,
  exec: command,
  args: to("args", readWords),
  interpreter: to("interpreter", readString),
  exec_interpreter: to("interpreter", readString),
  interpreter_args: to("interpreter_args", readWords),
  node_args: to("interpreter_args", readWords),
  shell: to("shell", readBool),
  cwd: to("cwd", readString),
  env: (v, d) => void (d.env = readEnvMap(v)),
  env_file: () => {}, // read before the others: its variables are seen by ${VAR}
  instances: (v, d, k, cpus) => set(d, "instances", readInstances(v, cpus), k),
  restart: to("restart", (v) => readChoice(v, RESTART_MODES)),
  autorestart: (v, d, k) => void (readBool(v) || set(d, "restart", "never", k)),
  max_restarts: to("max_restarts", (v) => readInt(v, 0, 1_000_000)),
  min_uptime: ms("min_uptime_ms"),
  min_uptime_ms: ms("min_uptime_ms"),
  restart_delay: ms("restart_delay_ms"),
  restart_delay_ms: ms("restart_delay_ms"),
  restart_delay_secs: to("restart_delay_ms", readSeconds),
  exp_backoff_restart_delay: ms("backoff_initial_ms"),
  backoff_initial_ms: ms("backoff_initial_ms"),
  backoff_max_ms: ms("backoff_max_ms"),
  kill_timeout: ms("kill_timeout_ms"),
  kill_timeout_ms: ms("kill_timeout_ms"),
  stop_timeout_secs: to("kill_timeout_ms", readSeconds),
  stop_signal: to("stop_signal", readSignal),
  stop_exit_codes: to("stop_exit_codes", readExitCodes),
  max_memory_restart: extra("max_memory", readBytes),
  max_memory: extra("max_memory", readBytes),
  max_cpu: extra("max_cpu", readPercent),
  limit_action: extra("limit_action", (v) => readChoice(v, ["restart", "stop", "log"])),
  cron_restart: extra("cron_restart", readCron),
  cron: extra("cron_restart", readCron),
  watch: extra("watch", readWatch),
  ignore_watch: extra("ignore_watch", readStringList),
  out_file: outFile,
  out: outFile,
  output: outFile,
  out_log: outFile,
  error_file: errorFile,
  error: errorFile,
  err: errorFile,
  err_file: errorFile,
  err_log: errorFile,
  log_rotate_bytes: to("log_rotate_bytes", readBytes),
  log_retain_files: to("log_retain_files", (v) => readInt(v, 1, 100_000)),
  log_retain_bytes: to("log_retain_bytes", readBytes),
  log_file: logFile,
  log: logFile,
  merge_logs: mergeLogs,
  combine_logs: mergeLogs,
  log_date_format: to("log_date_format", readString),
  time: to("time", readBool),
  exec_mode: execMode,
  execMode,
  shutdown_with_message: to("shutdown_with_message", readBool),
  instance_var: to("instance_var", readVarName),
  increment_var: to("increment_var", readVarName),
  port: to(
    "port",
    (v) => readInt(typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v, 1, 65_535),
  ),
  ...readinessFields((draft, field, value, key) => set(draft, field, value, key)),
};

/** pm2 fields Adasa does not honour: a warning, and the app starts without them. */
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
    draft.profiles[profile[1]!] = readEnvMap(value);
  } else if (PM2_UNSUPPORTED.has(key)) {
    draft.warnings.push(`${key}: not supported by Adasa; ignored`);
  } else {
    draft.warnings.push(`${key}: unknown field; ignored`);
  }
}
