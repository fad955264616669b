/**
 * The one place where an app definition is validated and given its defaults. Used by the
 * daemon for `start`, and by the config loaders, so every way in yields the same AppSpec.
 */
import { normalizeDependsOn, normalizeLiveness, normalizeReadiness } from "./checks.ts";
import { AdasaError } from "./errors.ts";
import {
  type AppSpec,
  EXEC_MODES,
  type ExecMode,
  LIMIT_ACTIONS,
  type LimitAction,
  RESTART_MODES,
  type RestartMode,
} from "./messages.ts";

/** Defaults, documented in the README's policy table. pm2's where a pm2 user expects them. */
export const SPEC_DEFAULTS = {
  instances: 1,
  restart: "always" as RestartMode,
  min_uptime_ms: 1_000,
  max_restarts: 16,
  restart_delay_ms: 0,
  backoff_initial_ms: 100,
  backoff_max_ms: 15_000,
  stop_signal: "SIGTERM",
  kill_timeout_ms: 1_600,
  limit_action: "restart" as LimitAction,
  limit_samples: 3,
  log_rotate_bytes: 10 * 1024 * 1024,
  log_retain_files: 10,
  log_retain_bytes: 100 * 1024 * 1024,
  ready_timeout_ms: 30_000,
  /** ready_timeout_ms of `readiness: message` (pm2's listen_timeout default for wait_ready). */
  message_ready_timeout_ms: 3_000,
  exec_mode: "fork" as ExecMode,
  instance_var: "NODE_APP_INSTANCE",
} as const;

/** Most instances of one app. */
export const MAX_INSTANCES = 1024;

/** The signals a user may name (stop signal, `adasa signal`). */
export const SIGNALS = [
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGKILL",
  "SIGUSR1",
  "SIGUSR2",
  "SIGTERM",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGWINCH",
  "SIGALRM",
  "SIGPWR",
] as const;
/** A signal name a user may use. */
export type SignalName = (typeof SIGNALS)[number];

/**
 * Normalises a signal given as `TERM`, `SIGTERM` or `sigterm`.
 *
 * @throws {AdasaError} INVALID_ARGUMENT for an unknown signal
 */
export function parseSignal(text: string): SignalName {
  const upper = text.toUpperCase();
  const name = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  if (!(SIGNALS as readonly string[]).includes(name)) {
    throw new AdasaError(
      "INVALID_ARGUMENT",
      `Unknown signal "${text}"; use one of ${SIGNALS.join(", ")}`,
    );
  }
  return name as SignalName;
}

/**
 * Checks an app name: 1 to 64 characters, no `/`, no whitespace or control characters,
 * not starting with `-` or `.`, not `all`, not all digits (those are ids).
 *
 * @throws {AdasaError} INVALID_ARGUMENT naming the problem
 */
export function validateAppName(name: string): string {
  const bad = (why: string) =>
    new AdasaError("INVALID_ARGUMENT", `Invalid app name ${JSON.stringify(name)}: ${why}`);
  if (name.length === 0) throw bad("it is empty");
  if (name.length > 64) throw bad("longer than 64 characters");
  // \p{Cc} includes the C1 controls too: U+009B is CSI, which terminals read as ESC [.
  if (/[\s\p{Cc}]/u.test(name)) throw bad("contains whitespace or control characters");
  if (name.includes("/")) throw bad('contains "/"');
  if (name.includes("..")) throw bad('contains ".."');
  if (name.startsWith("-") || name.startsWith(".")) throw bad('starts with "-" or "."');
  if (name === "all") throw bad('"all" means every app');
  if (/^\d+$/.test(name)) throw bad("all digits would read as an instance id");
  return name;
}

/** What a client sends to create an app: the command and any fields it wants to set. */
export type AppSpecInput = Partial<AppSpec> & { command: string };

function fail(field: string, message: string): never {
  throw new AdasaError("INVALID_ARGUMENT", `${field}: ${message}`);
}

function integer(
  input: Record<string, unknown>,
  key: string,
  min: number,
  max: number,
  fallback: number,
): number {
  const value = input[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(key, `expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function strings(input: Record<string, unknown>, key: string): string[] {
  const value = input[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    fail(key, "expected an array of strings");
  }
  return [...value];
}

function stringMap(input: Record<string, unknown>, key: string): Record<string, string> {
  const value = input[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) fail(key, "expected a map of strings");
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== "string") fail(`${key}.${k}`, `expected a string, got ${typeof v}`);
    if (k.length === 0 || k.includes("=") || k.includes("\0")) {
      fail(`${key}`, `invalid variable name ${JSON.stringify(k)}`);
    }
    out[k] = v;
  }
  return out;
}

function optionalString(input: Record<string, unknown>, key: string): string | null {
  const value = input[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.length === 0) fail(key, "expected a non-empty string");
  return value;
}

/** The default name of an app: the base name of its script without extension. */
export function defaultAppName(command: string): string {
  const base = command.split("/").filter(Boolean).pop() ?? command;
  const stem = base.replace(/\.(m?js|cjs|ts|mts|py|sh)$/, "");
  return stem.replace(/[\s\p{Cc}]+/gu, "_").replace(/^[-.]+/, "").slice(0, 64) || "app";
}

/**
 * Validates an app definition from a client or a config file and fills in the defaults.
 *
 * @throws {AdasaError} INVALID_ARGUMENT naming the first bad field
 */
export function normalizeAppSpec(raw: unknown): AppSpec {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) fail("app", "expected a map");
  const input = raw as Record<string, unknown>;
  const command = input.command;
  if (typeof command !== "string" || command.length === 0) {
    fail("command", "expected a non-empty string");
  }
  const name = validateAppName(
    input.name === undefined || input.name === null ? defaultAppName(command) : String(input.name),
  );
  const restart = input.restart ?? SPEC_DEFAULTS.restart;
  if (!RESTART_MODES.includes(restart as RestartMode)) {
    fail("restart", `expected one of ${RESTART_MODES.join(", ")}, got ${JSON.stringify(restart)}`);
  }
  const cwd = input.cwd;
  if (typeof cwd !== "string" || !cwd.startsWith("/")) fail("cwd", "expected an absolute path");
  const stopCodes = input.stop_exit_codes ?? [];
  if (!Array.isArray(stopCodes) || !stopCodes.every((c) => Number.isSafeInteger(c))) {
    fail("stop_exit_codes", "expected an array of integers");
  }
  const backoffInitial = integer(
    input,
    "backoff_initial_ms",
    0,
    3_600_000,
    SPEC_DEFAULTS.backoff_initial_ms,
  );
  const readiness = normalizeReadiness(input.readiness);
  return {
    name,
    command,
    args: strings(input, "args"),
    interpreter: optionalString(input, "interpreter"),
    interpreter_args: strings(input, "interpreter_args"),
    shell: input.shell === true,
    cwd,
    env: stringMap(input, "env"),
    base_env: stringMap(input, "base_env"),
    instances: instancesOf(input.instances),
    ...instanceVarsOf(input),
    restart: restart as RestartMode,
    stop_exit_codes: stopCodes as number[],
    min_uptime_ms: integer(input, "min_uptime_ms", 0, 86_400_000, SPEC_DEFAULTS.min_uptime_ms),
    max_restarts: integer(input, "max_restarts", 0, 1_000_000, SPEC_DEFAULTS.max_restarts),
    restart_delay_ms: integer(
      input,
      "restart_delay_ms",
      0,
      86_400_000,
      SPEC_DEFAULTS.restart_delay_ms,
    ),
    backoff_initial_ms: backoffInitial,
    backoff_max_ms: integer(
      input,
      "backoff_max_ms",
      backoffInitial,
      86_400_000,
      Math.max(backoffInitial, SPEC_DEFAULTS.backoff_max_ms),
    ),
    stop_signal: parseSignal(
      typeof input.stop_signal === "string" ? input.stop_signal : SPEC_DEFAULTS.stop_signal,
    ),
    kill_timeout_ms: integer(input, "kill_timeout_ms", 0, 3_600_000, SPEC_DEFAULTS.kill_timeout_ms),
    ...limitsOf(input),
    ...triggersOf(input, cwd),
    log_rotate_bytes: integer(
      input,
      "log_rotate_bytes",
      4096,
      2 ** 40,
      SPEC_DEFAULTS.log_rotate_bytes,
    ),
    log_retain_files: integer(
      input,
      "log_retain_files",
      1,
      100_000,
      SPEC_DEFAULTS.log_retain_files,
    ),
    log_retain_bytes: integer(
      input,
      "log_retain_bytes",
      4096,
      2 ** 50,
      SPEC_DEFAULTS.log_retain_bytes,
    ),
    ...pm2LogsOf(input),
    readiness,
    ready_timeout_ms: integer(
      input,
      "ready_timeout_ms",
      1,
      86_400_000,
      readiness.kind === "message"
        ? SPEC_DEFAULTS.message_ready_timeout_ms
        : SPEC_DEFAULTS.ready_timeout_ms,
    ),
    liveness: normalizeLiveness(input.liveness),
    shutdown_with_message: flag(input, "shutdown_with_message"),
    depends_on: normalizeDependsOn(input.depends_on, name),
  };
}

function flag(input: Record<string, unknown>, key: string): boolean {
  const value = input[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") fail(key, `expected true or false, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * pm2's `instances`: a positive integer or its numeric string; `"max"` or 0 for one per CPU;
 * -1 for one per CPU but one (at least 1).
 */
function instancesOf(value: unknown): number {
  if (value === undefined || value === null) return SPEC_DEFAULTS.instances;
  const cpus = Math.max(1, navigator.hardwareConcurrency || 1);
  const n = typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (n === "max" || n === 0) return cpus;
  if (n === -1) return Math.max(1, cpus - 1);
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1 || n > MAX_INSTANCES) {
    fail(
      "instances",
      `expected an integer from 1 to ${MAX_INSTANCES}, "max", 0 or -1, got ${
        JSON.stringify(value)
      }`,
    );
  }
  return n;
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function instanceVarsOf(
  input: Record<string, unknown>,
): Pick<AppSpec, "exec_mode" | "instance_var" | "increment_var" | "port"> {
  const mode = input.exec_mode ?? SPEC_DEFAULTS.exec_mode;
  if (!EXEC_MODES.includes(mode as ExecMode)) {
    fail("exec_mode", `expected one of ${EXEC_MODES.join(", ")}, got ${JSON.stringify(mode)}`);
  }
  const variable = (key: string): string | null => {
    const name = optionalString(input, key);
    if (name !== null && !VAR_NAME.test(name)) {
      fail(key, `expected an environment variable name, got ${JSON.stringify(name)}`);
    }
    return name;
  };
  return {
    exec_mode: mode as ExecMode,
    instance_var: variable("instance_var") ?? SPEC_DEFAULTS.instance_var,
    increment_var: variable("increment_var"),
    port: input.port === undefined || input.port === null
      ? null
      : integer(input, "port", 1, 65_535, 0),
  };
}

function pm2LogsOf(
  input: Record<string, unknown>,
): Pick<
  AppSpec,
  "out_file" | "error_file" | "log_file" | "merge_logs" | "log_date_format" | "time"
> {
  const path = (key: string): string | null => {
    const value = optionalString(input, key);
    if (value !== null && (!value.startsWith("/") || value.includes("\0"))) {
      fail(key, `expected an absolute path, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  return {
    out_file: path("out_file"),
    error_file: path("error_file"),
    log_file: path("log_file"),
    merge_logs: flag(input, "merge_logs"),
    log_date_format: optionalString(input, "log_date_format"),
    time: flag(input, "time"),
  };
}

function triggersOf(
  input: Record<string, unknown>,
  cwd: string,
): Pick<AppSpec, "cron_restart" | "watch" | "ignore_watch"> {
  const cron = optionalString(input, "cron_restart");
  if (cron !== null && !/^\S+(\s+\S+){4,5}$/.test(cron.trim())) {
    fail("cron_restart", `expected 5 or 6 cron fields, got ${JSON.stringify(cron)}`);
  }
  const watch = input.watch;
  let paths: string[] | null = null;
  if (watch === true) paths = [cwd];
  else if (Array.isArray(watch) || typeof watch === "string") {
    const list = typeof watch === "string" ? [watch] : watch;
    if (!list.every((p) => typeof p === "string" && p.length > 0)) {
      fail("watch", "expected true or a list of paths");
    }
    paths = (list as string[]).map((p) => p.startsWith("/") ? p : `${cwd}/${p}`);
  } else if (watch !== undefined && watch !== null && watch !== false) {
    fail("watch", "expected true or a list of paths");
  }
  return { cron_restart: cron, watch: paths, ignore_watch: strings(input, "ignore_watch") };
}

function limitsOf(
  input: Record<string, unknown>,
): Pick<AppSpec, "max_memory" | "max_cpu" | "limit_action" | "limit_samples"> {
  const action = input.limit_action ?? SPEC_DEFAULTS.limit_action;
  if (!LIMIT_ACTIONS.includes(action as LimitAction)) {
    fail(
      "limit_action",
      `expected one of ${LIMIT_ACTIONS.join(", ")}, got ${JSON.stringify(action)}`,
    );
  }
  const maxCpu = input.max_cpu;
  if (maxCpu !== undefined && maxCpu !== null && (typeof maxCpu !== "number" || !(maxCpu > 0))) {
    fail("max_cpu", `expected a positive percent of one core, got ${JSON.stringify(maxCpu)}`);
  }
  const maxMemory = input.max_memory === undefined || input.max_memory === null
    ? null
    : integer(input, "max_memory", 1, Number.MAX_SAFE_INTEGER, 0);
  return {
    max_memory: maxMemory,
    max_cpu: typeof maxCpu === "number" ? maxCpu : null,
    limit_action: action as LimitAction,
    limit_samples: integer(input, "limit_samples", 1, 10_000, SPEC_DEFAULTS.limit_samples),
  };
}

/**
 * Fills fields that later versions added to a definition stored by an earlier one, so an old
 * database keeps working after an upgrade.
 */
export function upgradeStoredSpec(stored: Record<string, unknown>): AppSpec {
  return {
    max_memory: null,
    max_cpu: null,
    limit_action: SPEC_DEFAULTS.limit_action,
    limit_samples: SPEC_DEFAULTS.limit_samples,
    cron_restart: null,
    watch: null,
    ignore_watch: [],
    log_rotate_bytes: SPEC_DEFAULTS.log_rotate_bytes,
    log_retain_files: SPEC_DEFAULTS.log_retain_files,
    log_retain_bytes: SPEC_DEFAULTS.log_retain_bytes,
    readiness: { kind: "uptime" },
    ready_timeout_ms: SPEC_DEFAULTS.ready_timeout_ms,
    liveness: null,
    depends_on: {},
    exec_mode: SPEC_DEFAULTS.exec_mode,
    instance_var: SPEC_DEFAULTS.instance_var,
    increment_var: null,
    port: null,
    out_file: null,
    error_file: null,
    log_file: null,
    merge_logs: false,
    log_date_format: null,
    time: false,
    shutdown_with_message: false,
    ...stored,
  } as unknown as AppSpec;
}
