/**
 * The map of ops: for each op the arguments a client sends and the reply it gets (and, for a
 * streaming op, its events). The client derives its types from it and the daemon's handler table
 * is keyed by it, so an op without a handler, a misspelt op or a reply of the wrong shape fails
 * `deno check`. A new op is added here, with its reply type, in the same change as its handler.
 *
 * `args` is what a well-behaved client sends; anything may arrive on the socket, so the daemon
 * checks each request's args by its op's schema (op_args.ts, which must list the same fields)
 * before the handler runs.
 */
import type { AppSpec, EventRecord, HelloInfo, InstanceInfo } from "./messages.ts";

/** Ids, app names or `all`. */
export interface TargetsArgs {
  targets: string[];
}

/** A new app's settings as given by a client; the daemon checks and completes them. */
export type AppInput = Record<string, unknown>;

/** The `config` argument of `start` and `reload`: a file, read by the daemon as this shell would. */
export interface ConfigFileArgs {
  path: string;
  cwd: string;
  env?: Record<string, string>;
  /** Picks `env_<profile>` of each app. */
  profile?: string;
  /** Unknown fields are errors rather than warnings. */
  strict?: boolean;
}

/** What `daemon_status` returns. */
export interface DaemonStatus extends HelloInfo {
  uptime_ms: number;
  database: string;
  schema_version: number;
  store_warnings: string[];
  persist_errors: number;
  dropped_samples: number;
  apps: number;
  instances: number;
  memory_rss: number;
  memory_heap_used: number;
  /** The machine's host name, a label of every metric. */
  hostname: string;
  /** Exits since the daemon started, per app and reason (stopped, signal, error, clean). */
  exits: Array<{ app: string; reason: string; count: number }>;
  /** Restarts since the daemon started, per app and reason (crash, command, cron, ...). */
  restarts: Array<{ app: string; reason: string; count: number }>;
  /** Bytes written to each app's log files since the daemon started. */
  log_bytes: Array<{ app: string; bytes: number }>;
  /**
   * The sampling tick (one pass over /proc for every running instance, and its write): the
   * newest tick's and the median of the last 30 ticks' duration in ms (null before the first
   * tick), ticks since the start, and the instances the newest one sampled.
   */
  /**
   * The daemon's file descriptors: open now, and its soft limit (each app holds about 3:
   * two pipes and its /proc stat file); null when /proc cannot tell.
   */
  open_files: { open: number | null; limit: number | null };
  sample_tick: {
    last_ms: number | null;
    median_ms: number | null;
    ticks: number;
    instances: number;
  };
}

/**
 * When `start` with a config file answers: once every app is `ready` (or completed, or failed;
 * the default), or once every app is `spawned` (its processes run, readiness not waited for).
 */
export type StartWait = "ready" | "spawned";

/** How the start of one app of a file ended. */
export interface AppStartOutcome {
  name: string;
  status: "ready" | "completed" | "started" | "failed" | "not_started";
  reason: string | null;
}

/** What `start` with a config file returns. */
export interface StartFileReply {
  created: string[];
  started: string[];
  warnings: string[];
  apps: AppStartOutcome[];
  instances: InstanceInfo[];
}

/** What `reload` with a config file did. */
export interface ReloadReport {
  started: string[];
  restarted: Array<{ name: string; changed: string[] }>;
  scaled: Array<{ name: string; from: number; to: number }>;
  unchanged: string[];
  deleted: string[];
  warnings: string[];
}

/** One instance as `describe` returns it. */
export type Description = InstanceInfo & {
  app_id: number;
  /** The app's settings; env values are `<hidden>` unless `show_env`. */
  spec: AppSpec;
  logs: string;
  log_dropped_bytes: number;
  last_stderr: string | null;
  database: string;
  recent_events: EventRecord[];
  /** The instance's last `exit` event, as `adasa events` shows it; null before any exit. */
  last_exit: EventRecord | null;
  /** The event that brought the instance into its current state (the latest with a `to_state`). */
  last_transition: EventRecord | null;
};

/** Which stream of a program a line came from. */
export type LogStream = "out" | "err";

/** One captured line of output. */
export interface LogLine {
  /** Capture time: when the daemon read the chunk that completed the line. */
  time: number;
  app: string;
  instance_id: number;
  stream: LogStream;
  /** The bytes of the line without its newline, decoded as UTF-8 (invalid bytes become U+FFFD). */
  text: string;
  /** True for a piece of a line longer than the daemon's line limit (64 KiB); the line continues in the next piece. */
  partial: boolean;
}

/** Figures of one measure over a window. */
export interface Figures {
  min: number;
  avg: number;
  /** The 95th percentile, nearest rank. */
  p95: number;
  max: number;
}

/** One point of an instance's history: a raw sample or a bucket of them. */
export interface StatsPoint {
  /** Start of the bucket (the sample time for unbucketed raw rows). */
  at: number;
  instance_id: number;
  app: string;
  /** Raw samples summarised by this point. */
  samples: number;
  /** Mean percent of one core. */
  cpu: number | null;
  /** Highest percent of one core of a sample (of a minute's mean for old minutes). */
  cpu_max: number | null;
  /** Mean resident bytes. */
  memory: number;
  /** Highest resident bytes of a sample. */
  memory_max: number;
  /** Mean percent of one core used by the whole process group. */
  group_cpu: number | null;
  /** Mean resident bytes of the whole process group. */
  group_memory: number;
  /**
   * Lowest and highest group figures of a sample in the bucket (of a minute's mean for the
   * lowest in old minutes), so a chart of the buckets shows every peak the summary counts.
   */
  group_cpu_min: number | null;
  group_cpu_max: number | null;
  group_memory_min: number;
  group_memory_max: number;
  /** Times of the first and last sample in the bucket (a minute's start for old minutes). */
  first_at: number;
  last_at: number;
}

/** Figures of one instance over a window. */
export interface StatsSummary {
  instance_id: number;
  app: string;
  /** Raw samples in the window. */
  samples: number;
  /** Whether the figures come from raw rows or from minute rollups. */
  source: "raw" | "minute";
  /** Percent of one core; null when no sample of the window had a cpu figure. */
  cpu: Figures | null;
  /** Resident bytes of the main process. */
  memory: Figures;
  /** Percent of one core used by the whole process group; null without a figure. */
  group_cpu: Figures | null;
  /** Resident bytes of the whole process group. */
  group_memory: Figures;
}

/** What `stats` returns. */
export interface StatsReply {
  since: number;
  until: number;
  /** "raw" for raw rows; "minute" for whole-minute buckets. */
  source: "raw" | "minute";
  /** Length of a bucket in ms; 0 when raw rows are returned one by one. */
  step_ms: number;
  /** Ordered by instance then time. */
  points: StatsPoint[];
  summary: StatsSummary[];
}

/** What `web_start` returns: where the dashboard listens. */
export interface WebStatus {
  url: string;
  host: string;
  port: number;
  token_file: string;
  metrics_public: boolean;
  started_at: number;
  /** What the user should know: plain HTTP beyond loopback, a token replaced. */
  warnings: string[];
}

/** Window and filters of `logs`. */
export interface LogsArgs {
  targets?: string[];
  since?: number;
  until?: number;
  /** The last N lines (of the window when one is given). */
  lines?: number;
  stream?: LogStream;
  grep?: string;
  regex?: boolean;
  /** `--grep` matches letters in either case. */
  ignore_case?: boolean;
  /** Keep the stream open and send new lines as they are written. */
  follow?: boolean;
}

// deno-lint-ignore ban-types
type NoArgs = {};

/**
 * Every op: `args`, `reply`, and `events` for the streaming ones (their final reply carries no
 * data). An op whose reply depends on its arguments lists one `{ args, reply }` per form.
 */
export interface OpMap {
  hello: { args: NoArgs; reply: HelloInfo };
  ping: { args: NoArgs; reply: "pong" };
  daemon_status: { args: NoArgs; reply: DaemonStatus };
  daemon_stop: { args: NoArgs; reply: { pid: number } };
  start:
    | { args: { app: AppInput }; reply: InstanceInfo[] }
    | { args: TargetsArgs; reply: InstanceInfo[] }
    | { args: { config: ConfigFileArgs; wait?: StartWait }; reply: StartFileReply };
  stop: { args: TargetsArgs & { force?: boolean }; reply: InstanceInfo[] };
  restart: {
    args: TargetsArgs & { update_env?: Record<string, string> };
    reply: InstanceInfo[];
  };
  reload:
    | { args: TargetsArgs & { update_env?: Record<string, string> }; reply: InstanceInfo[] }
    | { args: { config: ConfigFileArgs; prune?: boolean }; reply: ReloadReport };
  delete: { args: TargetsArgs; reply: { deleted_ids: number[]; deleted_apps: string[] } };
  scale: { args: { app: string; instances: number }; reply: InstanceInfo[] };
  signal: { args: TargetsArgs & { signal: string }; reply: { signal: string; ids: number[] } };
  /** Sets the restart counters of the instances to 0 (pm2 reset). */
  reset: { args: TargetsArgs; reply: InstanceInfo[] };
  list: { args: NoArgs; reply: InstanceInfo[] };
  describe: { args: { target: string; show_env?: boolean }; reply: Description[] };
  events: {
    args: { targets?: string[]; since?: number; until?: number; limit?: number };
    reply: EventRecord[];
  };
  logs: { args: LogsArgs; reply: null; events: { lines: LogLine[] } };
  flush: { args: { targets?: string[] }; reply: { apps: string[] } };
  stats: {
    args: { targets?: string[]; since?: number; until?: number; max_points?: number };
    reply: StatsReply;
  };
  export:
    | { args: { targets?: string[]; format?: "json" | "toml" }; reply: { text: string } }
    | {
      args: {
        targets?: string[];
        format: "systemd" | "compose" | "kubernetes";
        /** Export the apps of this file (only those named by `targets`, when given). */
        config?: ConfigFileArgs;
      };
      reply: EngineExportReply;
    };
  web_start: {
    args: { port?: number; host?: string; token?: string; metrics_public?: boolean };
    reply: WebStatus;
  };
  web_stop: { args: NoArgs; reply: { stopped: boolean } };
}

/** `export` to another engine: its files (paths relative to the output folder), and warnings. */
export interface EngineExportReply {
  text: string;
  files: { path: string; text: string }[];
  /** One line per setting with no equivalent in the engine. */
  warnings: string[];
}

/** One op name. */
export type Op = keyof OpMap;

/** The ops that stream events. */
export type StreamOp = { [K in Op]: OpMap[K] extends { events: unknown } ? K : never }[Op];

/** The ops with one reply. */
export type UnaryOp = Exclude<Op, StreamOp>;

/** The arguments of `op`, any of its forms. */
export type OpArgs<K extends Op> = OpMap[K]["args"];

/** The reply of `op`: of the form `A` matches, or of any form when `A` is left out. */
export type OpReply<K extends Op, A = OpArgs<K>> = OpMap[K] extends infer E
  ? E extends { args: infer X; reply: infer R } ? A extends X ? R : never : never
  : never;

/** One event of streaming op `K`, as `{ event, data }`. */
export type OpEvent<K extends StreamOp> = {
  [E in keyof OpMap[K]["events"]]: { event: E; data: OpMap[K]["events"][E] };
}[keyof OpMap[K]["events"]];

type KeysOfAny<T> = T extends unknown ? keyof T : never;

/** `A`, with a field no form of `K`'s arguments has typed `never`, so a misspelt field fails. */
export type ExactArgs<K extends Op, A> =
  & A
  & Record<Exclude<keyof A, KeysOfAny<OpArgs<K>>>, never>;

/** The ops whose arguments may all be left out. */
export type NoArgsOp = {
  [K in UnaryOp]: NoArgs extends OpArgs<K> ? K : never;
}[UnaryOp];
