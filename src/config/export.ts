/**
 * Writes app definitions as a config file that `loadConfigFile` reads back to the same
 * definitions, so a setup moves to another machine. Every field is written, defaults too, so
 * the file means the same under another version's defaults. `base_env` is left out: it is the
 * environment of the shell that started the app on this machine, and the importing machine
 * supplies its own; only the app's declared `env` travels. Every `$` is written `$$`, which
 * the loader reads back as `$`, so values never expand on import.
 */
import type { AppSpec } from "../protocol/mod.ts";
import { stringifyToml } from "./json_toml.ts";
import type { AppExtras } from "./types.ts";

/** A file format `exportApps` writes. */
export type ExportFormat = "json" | "toml";

/** Writes `specs` (and their extras, by app name, when given) as a JSON or TOML config file. */
export function exportApps(
  specs: readonly AppSpec[],
  format: ExportFormat,
  options: { extras?: Record<string, AppExtras> } = {},
): string {
  const apps = specs.map((spec) => escapeDollars(appFields(spec, options.extras?.[spec.name])));
  if (format === "toml") return stringifyToml({ apps });
  return JSON.stringify({ apps }, null, 2) + "\n";
}

function appFields(spec: AppSpec, extras: AppExtras | undefined): Record<string, unknown> {
  return {
    name: spec.name,
    command: spec.command,
    args: spec.args,
    // "none" keeps a null interpreter from being picked again by extension on import.
    interpreter: spec.interpreter ?? "none",
    interpreter_args: spec.interpreter_args,
    shell: spec.shell,
    cwd: spec.cwd,
    env: spec.env,
    instances: spec.instances,
    restart: spec.restart,
    stop_exit_codes: spec.stop_exit_codes,
    min_uptime_ms: spec.min_uptime_ms,
    max_restarts: spec.max_restarts,
    restart_delay_ms: spec.restart_delay_ms,
    backoff_initial_ms: spec.backoff_initial_ms,
    backoff_max_ms: spec.backoff_max_ms,
    stop_signal: spec.stop_signal,
    kill_timeout_ms: spec.kill_timeout_ms,
    log_rotate_bytes: spec.log_rotate_bytes,
    log_retain_files: spec.log_retain_files,
    log_retain_bytes: spec.log_retain_bytes,
    ...readinessFields(spec),
    ...newerFields(spec),
    ...extras,
  };
}

/** Readiness, liveness and dependencies, only when set, so older readers see no new field. */
function readinessFields(spec: AppSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (spec.readiness && spec.readiness.kind !== "uptime") {
    out.readiness = spec.readiness;
    out.ready_timeout_ms = spec.ready_timeout_ms;
  }
  if (spec.liveness) out.liveness = spec.liveness;
  if (spec.depends_on && Object.keys(spec.depends_on).length) out.depends_on = spec.depends_on;
  return out;
}

/** Settings added after the first file format, only when they differ from their default. */
function newerFields(spec: AppSpec): Record<string, unknown> {
  const defaults: Partial<Record<keyof AppSpec, unknown>> = {
    exec_mode: "fork",
    instance_var: "NODE_APP_INSTANCE",
    increment_var: null,
    port: null,
    out_file: null,
    error_file: null,
    log_file: null,
    merge_logs: false,
    log_date_format: null,
    time: false,
    shutdown_with_message: false,
  };
  const out: Record<string, unknown> = {};
  for (const [key, fallback] of Object.entries(defaults)) {
    const value = spec[key as keyof AppSpec];
    if (value !== undefined && value !== fallback) out[key] = value;
  }
  return out;
}

function escapeDollars(value: unknown): unknown {
  if (typeof value === "string") return value.replaceAll("$", "$$$$");
  if (Array.isArray(value)) return value.map(escapeDollars);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDollars(v)]));
  }
  return value;
}
