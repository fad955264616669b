/** The shapes a config file loads into, shared by every loader of this folder. */
import type { AppSpecInput } from "../protocol/mod.ts";

/**
 * Settings of an app that config files carry beside its AppSpec fields: limits for the monitor,
 * cron and watch. The daemon decides which of them it honours.
 */
export interface AppExtras {
  /** Bytes (pm2's `max_memory_restart`, the predecessor's `max_memory`). */
  max_memory?: number | null;
  /** Percent of one core. */
  max_cpu?: number | null;
  limit_action?: "restart" | "stop" | "log";
  cron_restart?: string | null;
  /** `true` watches the app's cwd; a list names the paths to watch; null: off. */
  watch?: true | string[] | null;
  ignore_watch?: string[];
}

/**
 * What a config file loads into. When `problems` is not empty nothing may start. Every problem
 * and warning is one line: `file: apps[i].field: message`.
 */
export interface ConfigResult {
  /** App definitions in file order, for the daemon's specFromInput (interpreter by extension). */
  apps: AppSpecInput[];
  /** Extras by app name; every app of `apps` has an entry, often empty. */
  extras: Record<string, AppExtras>;
  warnings: string[];
  problems: string[];
}

/** How to read a config file. */
export interface LoadOptions {
  /**
   * Where `adasa start` runs: a relative config path, and relative `cwd`, `script` and
   * `env_file` inside the file, are resolved from here (as pm2 does); `process.cwd()` of a
   * JavaScript file.
   */
  cwd: string;
  /** The caller's environment: `${VAR}` lookups, and each app's `base_env`. */
  env: Record<string, string>;
  /** `--env <profile>`: merge each app's `env_<profile>` over its `env`. */
  profile?: string;
  /** Turn warnings into problems. */
  strict?: boolean;
  /** What `instances: "max"` means; default navigator.hardwareConcurrency. */
  cpuCount?: number;
  /** Limit for evaluating a JavaScript ecosystem file; default 10 s. */
  timeoutMs?: number;
  /** Folders a JavaScript ecosystem file must not see (the daemon's home). */
  hidden?: string[];
  /** false: evaluate without namespaces, as where the system has none (for tests). */
  namespaces?: boolean;
}
