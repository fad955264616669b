/**
 * The definition of an app, AppSpec, and the types of its fields: the same names on the wire,
 * in the database, in config files and in `--json` output. A leaf: imports nothing.
 */

/** When an exited program is started again. */
export type RestartMode = "always" | "on_failure" | "never";
/** Every restart mode. */
export const RESTART_MODES: readonly RestartMode[] = ["always", "on_failure", "never"];

/** The definition of an app: what to run and the policies that keep it running. */
export interface AppSpec {
  name: string;
  /** Program to execute (after interpreter resolution), or the shell line when `shell`. */
  command: string;
  args: string[];
  /** Interpreter that runs `command`, or null to execute it directly. */
  interpreter: string | null;
  interpreter_args: string[];
  /** Run `command` through `/bin/sh -c`. Never implied. */
  shell: boolean;
  cwd: string;
  /** Declared environment; applied over `base_env`. */
  env: Record<string, string>;
  /** The environment `adasa start` ran in (pm2 keeps it too; `restart --update-env` replaces it). */
  base_env: Record<string, string>;
  instances: number;
  /** How instances run: each its own process (`fork`), or Node's cluster module (`cluster`). */
  exec_mode: ExecMode;
  /** Variable holding each instance's index, 0 to instances - 1 (pm2's instance_var). */
  instance_var: string;
  /** Variable of `env` increased by the instance index in each instance, or null. */
  increment_var: string | null;
  /** Sets `PORT` in the environment (pm2's port), or null. */
  port: number | null;
  restart: RestartMode;
  /** Exit codes that count as a clean end under `on_failure` (pm2's stop_exit_codes). */
  stop_exit_codes: number[];
  min_uptime_ms: number;
  /** Restarts before min_uptime in a row before the instance is `errored`. */
  max_restarts: number;
  /** Fixed delay before any restart. */
  restart_delay_ms: number;
  /** First backoff delay for an unstable restart; doubles each time up to backoff_max_ms. */
  backoff_initial_ms: number;
  backoff_max_ms: number;
  stop_signal: string;
  kill_timeout_ms: number;
  /** Resident bytes of the whole process group allowed, or null (pm2's max_memory_restart). */
  max_memory: number | null;
  /** Percent of one core the group may use, sustained over `limit_samples` samples, or null. */
  max_cpu: number | null;
  /** What a limit violation does. */
  limit_action: LimitAction;
  /** Consecutive samples over a limit that make a violation. */
  limit_samples: number;
  /** Restart on this cron schedule (5 or 6 fields), or null (pm2's cron_restart). */
  cron_restart: string | null;
  /** Restart when files under these paths change, or null (pm2's watch). */
  watch: string[] | null;
  /** Globs under the watched paths whose changes are ignored (node_modules and .git always). */
  ignore_watch: string[];
  /** Start a new log file past this size (bytes). */
  log_rotate_bytes: number;
  /** Keep at most this many log files of the app, the current one included. */
  log_retain_files: number;
  /** Keep at most this many bytes of log files of the app. */
  log_retain_bytes: number;
  /** pm2-style file of the standard output, besides Adasa's own logs; null: none. */
  out_file: string | null;
  /** pm2-style file of the standard error; null: none. */
  error_file: string | null;
  /** pm2-style file of both streams combined; null: none. */
  log_file: string | null;
  /** One pm2-style file for all instances; else `-<index>` goes before the extension. */
  merge_logs: boolean;
  /** Prefix each line of the pm2-style files with the time in this format, or null. */
  log_date_format: string | null;
  /** Prefix each line of the pm2-style files with an ISO time. */
  time: boolean;
  /** What makes a new process count as started (`launching` -> `online`). */
  readiness: Readiness;
  /** A process not ready this long after its spawn failed to start (not used for `uptime`). */
  ready_timeout_ms: number;
  /** A periodic check of a running process; failing it restarts the process. Null: none. */
  liveness: Liveness | null;
  /** Stop by sending the IPC message `shutdown` instead of the stop signal (pm2's option). */
  shutdown_with_message: boolean;
  /** Apps that must reach a condition before this one starts, by name. */
  depends_on: Record<string, DependencyCondition>;
}

/** How the instances of an app run. */
export type ExecMode = "fork" | "cluster";
/** Every exec mode. */
export const EXEC_MODES: readonly ExecMode[] = ["fork", "cluster"];

/** A check Adasa runs against a process: an HTTP GET answering 2xx, a TCP connect, a command exiting 0. */
export type Check =
  | { kind: "http"; url: string }
  | { kind: "tcp"; host: string; port: number }
  | { kind: "command"; command: string };

/**
 * When a new process counts as ready: up for min_uptime (`uptime`), a line of its output
 * matching `pattern` (`log_line`), a check passing, or the program writing `ready` to the file
 * named by its ADASA_READY_FILE variable (`notify`), or the program calling
 * `process.send("ready")` (`message`, pm2's wait_ready: ready_timeout_ms elapsing counts as ready).
 */
export type Readiness =
  | { kind: "uptime" }
  | { kind: "log_line"; pattern: string }
  | { kind: "notify" }
  | { kind: "message" }
  | Check;

/** Every readiness kind. */
export const READINESS_KINDS = [
  "uptime",
  "log_line",
  "notify",
  "message",
  "http",
  "tcp",
  "command",
] as const;

/** A liveness check: run every `interval_ms`, each within `timeout_ms`; `failure_threshold` failures in a row restart the process. */
export type Liveness = Check & {
  interval_ms: number;
  timeout_ms: number;
  failure_threshold: number;
};

/** What a dependency must reach: spawned, ready, or ended with exit code 0 (a one-shot job). */
export type DependencyCondition = "started" | "ready" | "completed";
/** Every dependency condition. */
export const DEPENDENCY_CONDITIONS: readonly DependencyCondition[] = [
  "started",
  "ready",
  "completed",
];

/** What a limit violation does: restart the instance, stop it, or only record it. */
export type LimitAction = "restart" | "stop" | "log";
/** Every limit action. */
export const LIMIT_ACTIONS: readonly LimitAction[] = ["restart", "stop", "log"];
