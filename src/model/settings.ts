/**
 * The one schema of an app's settings. Every field of AppSpec is a row: its value type (which
 * parses, checks and words the one-line message), its default, the other spellings config files
 * use (pm2's, the predecessor's), the `adasa start` flags that set it, and its README line.
 * Validation, config readers, CLI flags, export, `adasa schema` and the README table all come
 * from here.
 */
import { EXEC_MODES, LIMIT_ACTIONS, RESTART_MODES } from "./app_spec.ts";
import type { AppSpec } from "./app_spec.ts";
import { dependsOn, liveness, readiness, readinessAlias } from "./checks.ts";
import { signalName, SIGNALS } from "./names.ts";
import {
  bool,
  bytes,
  choice,
  envMap,
  exitCodes,
  instances,
  int,
  ms,
  nullable,
  path,
  percent,
  reject,
  seconds,
  strings,
  text,
  type Value,
  varName,
  words,
} from "./values.ts";

/** A flag of `adasa start` that sets a field. */
export interface Flag {
  name: string;
  short?: string;
  /** The value's name in help (MS, SIZE); absent for a boolean flag. */
  value?: string;
  help: string;
  multiple?: boolean;
  /** The value may be left out (`--watch` alone); then the flag reads `true`. */
  optional?: boolean;
  /** Turns what the flag got into the field's raw value; default: the text as given. */
  read?: (given: string | boolean | string[]) => unknown;
}

/** One setting: one field of AppSpec. */
export interface Setting {
  field: keyof AppSpec;
  value: Value;
  /** The value when the input leaves the field out; undefined: required. */
  fallback?: unknown;
  /** A default that depends on fields before this one. */
  fallbackOf?: (spec: Partial<AppSpec>) => unknown;
  /** Other config spellings: name -> its own value type, or null for the field's. */
  aliases?: Readonly<Record<string, Value | null>>;
  /** A rule across fields, after parsing: the problem, or null. */
  check?: (value: unknown, spec: Partial<AppSpec>) => string | null;
  /** Completes the value from fields before it (relative paths against cwd). */
  resolve?: (value: unknown, spec: Partial<AppSpec>) => unknown;
  flags?: readonly Flag[];
  /** The README line; absent for fields a user does not write (base_env). */
  doc?: { meaning: string; default: string };
  /** Config files carry it in `extras`, beside the definition. */
  extra?: boolean;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** `relative` under `base`, `.` and `..` folded; an absolute path is kept. */
export function resolvePath(base: string, relative: string): string {
  if (relative.startsWith("/")) return relative;
  const out: string[] = [];
  for (const part of `${base}/${relative}`.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

const againstCwd = (value: unknown, spec: Partial<AppSpec>) =>
  typeof value === "string" ? resolvePath(spec.cwd!, value) : value;

const signal: Value<string> = {
  expected: `a signal: ${SIGNALS.join(", ")}`,
  json: { type: "string", pattern: `^(?i:(sig)?(${SIGNALS.map((s) => s.slice(3)).join("|")}))$` },
  parse: (raw, ctx) => signalName(text.parse(raw, ctx)),
};

/** A cron pattern's shape; croner checks each field when the definition is normalised. */
const cron: Value<string> = {
  expected: "a cron pattern of 5 or 6 fields",
  json: { type: "string", pattern: "^\\s*\\S+(\\s+\\S+){4,5}\\s*$" },
  parse(raw) {
    const pattern = typeof raw === "string" ? raw.trim() : "";
    if (!/^\S+(\s+\S+){4,5}$/.test(pattern)) reject("a cron pattern of 5 or 6 fields", raw);
    return pattern;
  },
};

/** `true` (the app's cwd), a path or a list of paths; `false` is off. */
const watch: Value<true | string[] | null> = {
  expected: "true or a list of paths",
  json: { anyOf: [{ type: "boolean" }, strings.json, { type: "null" }] },
  parse(raw, ctx) {
    if (raw === true) return true;
    if (raw === false || raw === null) return null;
    const list = strings.parse(raw, ctx);
    if (list.some((p) => p.length === 0)) reject("true or a list of paths", raw);
    return list;
  },
};

const autorestart: Value<string | undefined> = {
  expected: "true or false",
  json: { type: "boolean" },
  parse: (raw, ctx) => bool.parse(raw, ctx) ? undefined : "never",
};

const execMode = choice(EXEC_MODES, { fork_mode: "fork", cluster_mode: "cluster" });
const outFile = nullable(path);
const commaList = (given: unknown) => String(given).split(",").map((s) => s.trim());

/** Every setting, in the order fields are read (a row may depend on the rows before it). */
export const SETTINGS: readonly Setting[] = [
  {
    field: "command",
    value: text,
    aliases: { script: null, exec: null, cmd: null },
    doc: {
      meaning:
        "program to run: absolute; with a `/`, relative to `cwd`; a bare name is a file in `cwd` if there is one, else a command from PATH. A command line (`npm run start`) runs as pm2 runs it. With `shell: true`, a shell line",
      default: "required",
    },
  },
  {
    field: "cwd",
    value: path,
    check: (v) => String(v).startsWith("/") ? null : "expected an absolute path",
    flags: [{ name: "cwd", value: "DIR", help: "Working directory (default: here)" }],
    doc: {
      meaning: "working folder; relative to the folder `adasa start` runs in (as pm2)",
      default: "the folder `adasa start` runs in",
    },
  },
  {
    field: "name",
    // Any string or number: the name predicate words what is wrong with it.
    value: {
      ...text,
      parse: (raw, ctx) =>
        typeof raw === "number" || raw === "" ? String(raw) : text.parse(raw, ctx),
    },
    fallbackOf: () => undefined, // normalize names the app after its command
    flags: [{
      name: "name",
      short: "n",
      value: "NAME",
      help: "App name (default: the script's base name)",
    }],
    doc: {
      meaning:
        "app name (1–64 characters; no `/`, `\\`, blanks, invisible characters, `..`; not `all`, not all digits)",
      default: "the script's base name without extension",
    },
  },
  {
    field: "args",
    value: words,
    fallback: [],
    doc: {
      meaning:
        'a list, or a string split like a shell (blanks separate; `\'…\'` literal; `"…"` with `\\"` `\\\\`; `\\` escapes one character; no `$`, globs or substitution)',
      default: "none",
    },
  },
  {
    field: "interpreter",
    value: nullable(text),
    fallback: null,
    aliases: { exec_interpreter: null },
    flags: [{
      name: "interpreter",
      value: "BIN",
      help: 'Run the script with BIN ("none" to execute it)',
    }],
    doc: {
      meaning: "program that runs `command`; `none` executes it directly",
      default:
        "by extension: `.js/.mjs/.cjs` node, `.ts` deno, `.py` python3, `.sh` bash (sh without bash); node for a script with a Node shebang (`bin/www`)",
    },
  },
  {
    field: "interpreter_args",
    value: words,
    fallback: [],
    aliases: { node_args: null, interpreterArgs: null, nodeArgs: null },
    flags: [
      {
        name: "interpreter-args",
        value: "ARGS",
        help: "Arguments for the interpreter (split like args)",
      },
      { name: "node-args", value: "ARGS", help: "Same as --interpreter-args" },
    ],
    doc: { meaning: "list or string, as `args`", default: "none" },
  },
  {
    field: "shell",
    value: bool,
    fallback: false,
    flags: [{ name: "shell", help: "Run the command line through /bin/sh -c" }],
    doc: { meaning: "run `command` through `/bin/sh -c`", default: "false" },
  },
  {
    field: "env",
    value: envMap,
    fallback: {},
    doc: {
      meaning: "variables (numbers and booleans become strings, maps and lists JSON, as pm2)",
      default: "none",
    },
  },
  { field: "base_env", value: envMap, fallback: {} },
  {
    field: "instances",
    value: instances,
    fallback: 1,
    flags: [{
      name: "instances",
      short: "i",
      value: "K",
      help: 'Number of instances, "max" or -1 (default 1)',
    }],
    doc: {
      meaning: 'how many; `"max"` or `0` one per CPU; `-1` one per CPU but one',
      default: "1",
    },
  },
  {
    field: "exec_mode",
    value: execMode,
    fallback: "fork",
    aliases: { execMode: null },
    doc: {
      meaning:
        "`fork`: each instance its own process; `cluster`: Node workers sharing their ports (see [cluster mode](#node-apps-and-cluster-mode)); `-i` with a Node script on the command line means cluster, as pm2",
      default: "`fork`",
    },
  },
  {
    field: "instance_var",
    value: varName,
    fallback: "NODE_APP_INSTANCE",
    doc: { meaning: "variable holding each instance's index", default: "`NODE_APP_INSTANCE`" },
  },
  {
    field: "increment_var",
    value: nullable(varName),
    fallback: null,
    doc: {
      meaning: "variable of `env` increased by the instance index in each instance",
      default: "none",
    },
  },
  {
    field: "port",
    value: nullable(int(1, 65_535)),
    fallback: null,
    doc: { meaning: "sets `PORT` in the environment", default: "none" },
  },
  {
    field: "restart",
    value: choice(RESTART_MODES),
    fallback: "always",
    aliases: { autorestart },
    flags: [
      { name: "restart", value: "MODE", help: "always (default), on_failure or never" },
      { name: "no-autorestart", help: "Same as --restart never", read: () => "never" },
    ],
    doc: {
      meaning: "`always`, `on_failure`, `never`; `autorestart: false` is `never`",
      default: "`always`",
    },
  },
  {
    field: "stop_exit_codes",
    value: exitCodes,
    fallback: [],
    flags: [{
      name: "stop-exit-codes",
      value: "CODES",
      help: "Exit codes that mean done, comma-separated",
      read: (v) => commaList(v).map((c) => /^\d+$/.test(c) ? Number(c) : c),
    }],
    doc: { meaning: 'exit codes that mean "done" (one or a list)', default: "none" },
  },
  {
    field: "min_uptime_ms",
    value: ms(DAY_MS),
    fallback: 1_000,
    aliases: { min_uptime: null },
    flags: [{
      name: "min-uptime",
      value: "MS",
      help: "Up this long counts as started (default 1000)",
    }],
    doc: { meaning: "up this long counts as started", default: "1000" },
  },
  {
    field: "max_restarts",
    value: int(0, 1_000_000),
    fallback: 16,
    flags: [{
      name: "max-restarts",
      value: "N",
      help: "Unstable restarts before errored (default 16)",
    }],
    doc: { meaning: "unstable restarts in a row before `errored`", default: "16" },
  },
  {
    field: "restart_delay_ms",
    value: ms(DAY_MS),
    fallback: 0,
    aliases: { restart_delay: null, restart_delay_secs: seconds },
    flags: [{ name: "restart-delay", value: "MS", help: "Delay before every restart (default 0)" }],
    doc: { meaning: "wait before every restart", default: "0" },
  },
  {
    field: "backoff_initial_ms",
    value: ms(HOUR_MS),
    fallback: 100,
    aliases: { exp_backoff_restart_delay: null },
    flags: [{
      name: "exp-backoff-restart-delay",
      value: "MS",
      help: "First backoff delay after an unstable exit (default 100)",
    }],
    doc: { meaning: "first backoff delay after an unstable exit", default: "100" },
  },
  {
    field: "backoff_max_ms",
    value: ms(DAY_MS),
    fallbackOf: (spec) => Math.max(spec.backoff_initial_ms ?? 0, 15_000),
    check: (v, spec) =>
      (v as number) < spec.backoff_initial_ms!
        ? `expected at least backoff_initial_ms (${spec.backoff_initial_ms})`
        : null,
    flags: [{
      name: "backoff-max",
      value: "MS",
      help: "Longest backoff between unstable restarts (default 15000)",
    }],
    doc: { meaning: "longest backoff delay", default: "15000" },
  },
  {
    field: "stop_signal",
    value: signal,
    fallback: "SIGTERM",
    flags: [{
      name: "stop-signal",
      value: "SIG",
      help: "Signal that asks it to stop (default SIGTERM)",
    }],
    doc: {
      meaning: "signal that stops the app",
      default: "SIGTERM (SIGINT for apps written for pm2)",
    },
  },
  {
    field: "kill_timeout_ms",
    value: ms(HOUR_MS),
    fallback: 1_600,
    aliases: { kill_timeout: null, stop_timeout_secs: seconds },
    flags: [{ name: "kill-timeout", value: "MS", help: "Wait before SIGKILL (default 1600)" }],
    doc: { meaning: "then SIGKILL", default: "1600" },
  },
  {
    field: "max_memory",
    value: nullable(bytes()),
    fallback: null,
    aliases: { max_memory_restart: null },
    extra: true,
    flags: [
      { name: "max-memory", value: "SIZE", help: "Memory limit of the group, e.g. 300M" },
      { name: "max-memory-restart", value: "SIZE", help: "Same as --max-memory" },
    ],
    doc: { meaning: "memory limit of the process group", default: "none" },
  },
  {
    field: "max_cpu",
    value: nullable(percent),
    fallback: null,
    extra: true,
    flags: [{ name: "max-cpu", value: "PCT", help: "CPU limit of the group, percent of a core" }],
    doc: { meaning: "CPU limit (percent of one core)", default: "none" },
  },
  {
    field: "limit_action",
    value: choice(LIMIT_ACTIONS),
    fallback: "restart",
    extra: true,
    flags: [{ name: "limit-action", value: "ACTION", help: "restart (default), stop or log" }],
    doc: { meaning: "`restart`, `stop` or `log` on a limit", default: "`restart`" },
  },
  {
    field: "limit_samples",
    value: int(1, 10_000),
    fallback: 3,
    doc: { meaning: "samples in a row over a limit that make a violation", default: "3" },
  },
  {
    field: "cron_restart",
    value: nullable(cron),
    fallback: null,
    aliases: { cron: null },
    extra: true,
    flags: [
      { name: "cron-restart", value: "CRON", help: 'Restart on a cron pattern, e.g. "0 3 * * *"' },
      { name: "cron", value: "CRON", help: "Same as --cron-restart" },
    ],
    doc: {
      meaning: "restart on a cron pattern (5 or 6 fields, checked by croner)",
      default: "none",
    },
  },
  {
    field: "watch",
    value: watch,
    fallback: null,
    resolve: (v, spec) =>
      v === true ? [spec.cwd] : Array.isArray(v) ? v.map((p) => againstCwd(p, spec)) : v,
    extra: true,
    flags: [{
      name: "watch",
      value: "PATHS",
      optional: true,
      help: "Restart on file changes: the cwd, or these comma-separated paths",
      read: (v) => v === true ? true : commaList(v),
    }],
    doc: {
      meaning: "restart on file changes (`true` or paths, relative to `cwd`)",
      default: "off",
    },
  },
  {
    field: "ignore_watch",
    value: strings,
    fallback: [],
    aliases: { ignoreWatch: null },
    extra: true,
    flags: [{
      name: "ignore-watch",
      value: "GLOBS",
      help: "Globs under the watched paths to ignore, space-separated",
      read: (v) => String(v).split(/\s+/).filter(Boolean),
    }],
    doc: { meaning: "globs under the watched paths to ignore", default: "none" },
  },
  {
    field: "log_rotate_bytes",
    value: bytes(4096, 2 ** 40),
    fallback: 10 * 1024 * 1024,
    flags: [{ name: "log-rotate", value: "SIZE", help: "New log file past SIZE (default 10M)" }],
    doc: { meaning: "start a new log file past this size", default: "10 MiB" },
  },
  {
    field: "log_retain_files",
    value: int(1, 100_000),
    fallback: 10,
    flags: [{ name: "log-retain-files", value: "N", help: "Log files kept (default 10)" }],
    doc: { meaning: "log files kept, the current one included", default: "10" },
  },
  {
    field: "log_retain_bytes",
    value: bytes(4096, 2 ** 50),
    fallback: 100 * 1024 * 1024,
    flags: [{ name: "log-retain", value: "SIZE", help: "Log bytes kept (default 100M)" }],
    doc: { meaning: "log bytes kept", default: "100 MiB" },
  },
  {
    field: "out_file",
    value: outFile,
    fallback: null,
    aliases: { out: null, output: null, out_log: null },
    resolve: againstCwd,
    flags: [{
      name: "output",
      short: "o",
      value: "FILE",
      help: "Also write stdout to FILE (pm2's out_file)",
    }],
    doc: {
      meaning:
        "pm2-style file of stdout besides Adasa's own logs; `/dev/null` allowed; relative to `cwd`",
      default: "none",
    },
  },
  {
    field: "error_file",
    value: outFile,
    fallback: null,
    aliases: { error: null, err: null, err_file: null, err_log: null },
    resolve: againstCwd,
    flags: [{
      name: "error",
      short: "e",
      value: "FILE",
      help: "Also write stderr to FILE (pm2's error_file)",
    }],
    doc: { meaning: "pm2-style file of stderr", default: "none" },
  },
  {
    field: "log_file",
    value: outFile,
    fallback: null,
    aliases: { log: null },
    resolve: againstCwd,
    flags: [{
      name: "log",
      short: "l",
      value: "FILE",
      help: "Also write both streams to FILE (pm2's log_file)",
    }],
    doc: { meaning: "pm2-style file of both streams combined", default: "none" },
  },
  {
    field: "merge_logs",
    value: bool,
    fallback: false,
    aliases: { combine_logs: null },
    flags: [{ name: "merge-logs", help: "One pm2-style log file for all instances" }],
    doc: {
      meaning:
        "one pm2-style file for all instances (else `-<index>` before `.log`, see [pm2-style log files](#pm2-style-log-files))",
      default: "false",
    },
  },
  {
    field: "log_date_format",
    value: nullable(text),
    fallback: null,
    flags: [{
      name: "log-date-format",
      value: "FORMAT",
      help: 'Prefix pm2-style log lines, e.g. "YYYY-MM-DD HH:mm:ss Z"',
    }],
    doc: {
      meaning: "prefix lines of the pm2-style files with the time in this format",
      default: "none",
    },
  },
  {
    field: "time",
    value: bool,
    fallback: false,
    flags: [{ name: "time", help: "Prefix pm2-style log lines with an ISO time" }],
    doc: { meaning: "prefix lines of the pm2-style files with an ISO time", default: "false" },
  },
  {
    field: "readiness",
    value: readiness,
    fallback: { kind: "uptime" },
    aliases: {
      ready_log_line: readinessAlias("log_line"),
      ready_http: readinessAlias("http"),
      ready_tcp: readinessAlias("tcp"),
      ready_command: readinessAlias("command"),
      wait_ready: readinessAlias("message"),
    },
    flags: [{
      name: "wait-ready",
      help: 'Ready when the app calls process.send("ready")',
      read: () => ({ kind: "message" }),
    }],
    doc: {
      meaning:
        "when a new process counts as started: see [Readiness](#readiness-health-checks-and-dependencies); give one of them",
      default: "up for `min_uptime`",
    },
  },
  {
    field: "ready_timeout_ms",
    value: ms(DAY_MS, 1),
    fallbackOf: (spec) => spec.readiness?.kind === "message" ? 3_000 : 30_000,
    aliases: { ready_timeout: null, listen_timeout: null },
    flags: [{
      name: "listen-timeout",
      value: "MS",
      help: "Readiness timeout (default 30000; 3000 with --wait-ready)",
    }],
    doc: {
      meaning:
        "not ready this long after the spawn: the start failed (stopped, then restarted with backoff like an early exit, `errored` past `max_restarts`); with `wait_ready`, counts as ready",
      default: "30000; 3000 with `wait_ready`",
    },
  },
  {
    field: "liveness",
    value: liveness,
    fallback: null,
    aliases: { health: null },
    doc: {
      meaning:
        'a liveness check: `{ http: url }`, `{ tcp: port or "host:port" }` or `{ command: "..." }`, with `interval`, `timeout`, `failure_threshold`',
      default: "none (10 s, 2 s, 3)",
    },
  },
  {
    field: "shutdown_with_message",
    value: bool,
    fallback: false,
    flags: [{ name: "shutdown-with-message", help: 'Stop by sending the IPC message "shutdown"' }],
    doc: {
      meaning:
        "stop by sending the IPC message `shutdown` instead of the stop signal; then `kill_timeout`",
      default: "false",
    },
  },
  {
    field: "depends_on",
    value: dependsOn,
    fallback: {},
    check: (v, spec) =>
      Object.hasOwn(v as object, spec.name!) ? `"${spec.name}" cannot depend on itself` : null,
    doc: {
      meaning:
        "apps of the same file to wait for: a list of names (each must be ready), or a map name → `started`, `ready` or `completed`",
      default: "none",
    },
  },
];

/** Settings by field. */
export const SETTING_OF: ReadonlyMap<string, Setting> = new Map(SETTINGS.map((s) => [s.field, s]));
