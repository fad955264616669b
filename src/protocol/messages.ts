/**
 * The single definition of what crosses the wire: envelopes, state names, and the shapes of the
 * records that ops return (the ops themselves, with their arguments and replies, are in ops.ts).
 * Field names are snake_case and are the same on the wire, in the database and in `--json`
 * output; nothing translates them between layers.
 */

/** Version of the request/reply envelope. A daemon rejects any other with UNSUPPORTED_VERSION. */
export const PROTOCOL_VERSION = 1;

/** A request from a client. `id` is chosen by the client and echoed in every reply frame. */
export interface Request {
  v: number;
  id: number;
  op: string;
  args: Record<string, unknown>;
  /**
   * `"json"`: the final reply carries its data as JSON text, in `json`. V8 parses JSON natively,
   * while a msgpack decoder is JavaScript, and in a short-lived CLI it runs cold: a 36 KB `list`
   * of 100 rows decoded in 12-20 ms as msgpack and in 0.5 ms as JSON. A daemon that does not
   * know the field answers with `data`, as it does for any client that does not ask.
   */
  accept?: "json";
}

/** A final reply to a request. */
export type Reply =
  | { id: number; ok: true; data: unknown; end?: true }
  | { id: number; ok: true; json: string }
  | { id: number; ok: false; error: { code: string; message: string } };

/** One frame of a streaming reply; the stream ends with `{ id, ok: true, end: true }`. */
export interface StreamFrame {
  id: number;
  event: string;
  data: unknown;
}

/** Any frame the daemon sends. */
export type ServerFrame = Reply | StreamFrame;

/** The process states, the same words on the wire, in the database and on screen. */
export const STATES = [
  "stopped",
  "launching",
  "online",
  "reloading",
  "stopping",
  "waiting",
  "exited",
  "errored",
] as const;
/** One process state. */
export type State = (typeof STATES)[number];

/** What the user wants of an instance, kept apart from its state (s6's flagwantup). */
export type Desired = "up" | "down";

export {
  DEPENDENCY_CONDITIONS,
  EXEC_MODES,
  LIMIT_ACTIONS,
  READINESS_KINDS,
  RESTART_MODES,
} from "../model/app_spec.ts";
export type {
  AppSpec,
  Check,
  DependencyCondition,
  ExecMode,
  LimitAction,
  Liveness,
  Readiness,
  RestartMode,
} from "../model/app_spec.ts";

/**
 * The columns of an `instances` row that change as the instance runs: what the supervisor
 * keeps and the store writes on every transition.
 */
export interface InstanceRuntime {
  id: number;
  state: State;
  desired: Desired;
  pid: number | null;
  /** Start time of `pid` in clock ticks after boot (/proc/<pid>/stat field 22). */
  pid_start_ticks: number | null;
  restarts: number;
  unstable_restarts: number;
  started_at: number | null;
  exited_at: number | null;
  exit_code: number | null;
  exit_signal: string | null;
  reason: string | null;
}

/** What `list` returns for one instance; `describe` adds to it. */
export interface InstanceInfo {
  id: number;
  name: string;
  /** Index of the instance within its app, from 0. */
  instance: number;
  pid: number | null;
  status: State;
  desired: Desired;
  restarts: number;
  unstable_restarts: number;
  started_at: number | null;
  uptime_ms: number | null;
  exit_code: number | null;
  exit_signal: string | null;
  exited_at: number | null;
  reason: string | null;
  /** Readiness of the current process: null when none runs. */
  ready: "pending" | "ready" | "failed" | null;
  /** Liveness: null without a check or when not online; `failing` below the threshold. */
  health: "unknown" | "healthy" | "failing" | null;
  /** Liveness failures in a row. */
  health_failures: number;
  /** The last readiness or liveness probe result, as text. */
  last_probe: string | null;
  cpu: number | null;
  memory: number | null;
  group_cpu: number | null;
  group_memory: number | null;
}

/** One row of the `events` table. Times are milliseconds since the Unix epoch. */
export interface EventRecord {
  id: number;
  at: number;
  instance_id: number | null;
  app: string | null;
  event: string;
  from_state: string | null;
  to_state: string | null;
  pid: number | null;
  exit_code: number | null;
  signal: string | null;
  uptime_ms: number | null;
  reason: string | null;
  /** For `exit` events: the last lines of stderr before the exit. */
  output: string | null;
}

/** What `hello` returns, so a client can tell an old daemon from a new one. */
export interface HelloInfo {
  version: string;
  protocol: number;
  pid: number;
  home: string;
  started_at: number;
}
