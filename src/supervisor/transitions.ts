/**
 * The process state machine, written once as a table: for every state and event, a target
 * state with effects, a small decision function returning one, `ignore` (expected, such as a
 * stale timer) or `anomaly` (cannot happen: logged and recorded, never thrown). The mapped
 * type makes the compiler reject a table with a missing cell. Pure: effects are data, and only
 * instance.ts carries them out.
 */
import type { AppSpec, Desired } from "../protocol/mod.ts";
import { backoffDelay } from "./backoff.ts";
import { shouldRestart } from "./restart_policy.ts";
import { EVENT_TYPES, type EventType, type State } from "./states.ts";

/**
 * Something the instance must do on a transition. Every timer and probe is cancelled on a state
 * change. A spawn also starts the readiness watch (and its ready_timeout timer).
 */
export type Effect =
  | { kind: "spawn" }
  | { kind: "signal_group"; signal: string }
  | { kind: "arm_timer"; timer: "backoff" | "kill"; ms: number }
  | { kind: "count_unstable" }
  | { kind: "reset_unstable" }
  /** Start the liveness check, if the app has one. */
  | { kind: "watch_health" }
  /** Remember why the process failed to start, for the decision on its exit. */
  | { kind: "note_start_failure"; reason: string }
  /** Keep the running process as the previous one and spawn its replacement. */
  | { kind: "spawn_replacement" }
  /** Stop the previous process (its replacement is ready, or the instance stops). */
  | { kind: "retire_previous" }
  /** Stop the replacement and make the previous process current again. */
  | { kind: "restore_previous" };

/** A target state, the effects to run, and why (kept as the instance's reason). */
export interface Outcome {
  to: State;
  effects: readonly Effect[];
  reason?: string;
}

/** What a decision may look at. */
export interface DecisionContext {
  desired: Desired;
  spec: Pick<
    AppSpec,
    | "restart"
    | "stop_exit_codes"
    | "min_uptime_ms"
    | "max_restarts"
    | "restart_delay_ms"
    | "backoff_initial_ms"
    | "backoff_max_ms"
    | "stop_signal"
    | "kill_timeout_ms"
    | "readiness"
    | "ready_timeout_ms"
  >;
  unstableRestarts: number;
  exit?: { code: number | null; signal: string | null };
  /** Signal for a stop; SIGKILL for `stop --force`. */
  stopSignal?: string;
  /** Why spawning failed (spawn_failed), or what the failing probe said (ready_timeout, unhealthy). */
  failure?: string;
  /** Set when the process being stopped failed to become ready (note_start_failure). */
  startFailure?: string | null;
  /** While reloading: whether the previous process still runs. */
  previousAlive?: boolean;
  /** The daemon is stopping: nothing starts again, and `desired` is kept for the next daemon. */
  closing?: boolean;
}

/** One cell of the table. */
export type Cell = Outcome | ((ctx: DecisionContext) => Transition) | "ignore" | "anomaly";

/** The result of looking up a transition. */
export type Transition = Outcome | "ignore" | "anomaly";

const launch: Outcome = { to: "launching", effects: [{ kind: "spawn" }] };

const becameReady: Outcome = {
  to: "online",
  effects: [{ kind: "reset_unstable" }, { kind: "watch_health" }],
};

function stopNow(ctx: DecisionContext): Outcome {
  const signal = ctx.stopSignal ?? ctx.spec.stop_signal;
  return {
    to: "stopping",
    effects: [
      { kind: "signal_group", signal },
      { kind: "arm_timer", timer: "kill", ms: ctx.spec.kill_timeout_ms },
    ],
  };
}

function describeExit(exit: DecisionContext["exit"]): string {
  if (!exit) return "exited";
  return exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** When a process counts as started, for messages. */
function readyText(ctx: DecisionContext, long: boolean): string {
  if (ctx.spec.readiness.kind !== "uptime") return "before it was ready";
  return long ? `within min_uptime ${ctx.spec.min_uptime_ms} ms` : "before min_uptime";
}

/** A failed start: restart with backoff, or give up past max_restarts. */
function unstable(ctx: DecisionContext, what: string, long: string): Outcome {
  const count = ctx.unstableRestarts + 1;
  if (count > ctx.spec.max_restarts) {
    return {
      to: "errored",
      effects: [{ kind: "count_unstable" }],
      reason: ctx.spec.max_restarts === 0
        ? `${long}; max_restarts is 0, so no restart`
        : `${ctx.spec.max_restarts} unstable restarts (each ${long}); restart it to try again`,
    };
  }
  return {
    to: "waiting",
    effects: [
      { kind: "count_unstable" },
      { kind: "arm_timer", timer: "backoff", ms: backoffDelay(count, ctx.spec) },
    ],
    reason: `${what}; unstable restart ${count}`,
  };
}

/** An exit before the process was ready: restart with backoff, or give up at the limit. */
function earlyExit(ctx: DecisionContext): Outcome {
  const exit = ctx.exit ?? { code: null, signal: null };
  if (!shouldRestart(exit, ctx.spec)) {
    return { to: "exited", effects: [], reason: describeExit(exit) };
  }
  const what = describeExit(exit);
  return unstable(ctx, `${what} ${readyText(ctx, false)}`, `${what} ${readyText(ctx, true)}`);
}

/**
 * pm2's wait_ready (`message` readiness): listen_timeout elapsing counts as ready, with a
 * reason saying so; null for every other kind.
 */
function timeoutAsReady(ctx: DecisionContext): string | null {
  if (ctx.spec.readiness.kind !== "message") return null;
  return `no process.send("ready") within listen_timeout ${ctx.spec.ready_timeout_ms} ms; ` +
    "counted as ready, as pm2 does";
}

/** Not ready within ready_timeout_ms: stop the process; its exit counts as a failed start. */
function notReady(ctx: DecisionContext): Outcome {
  const asReady = timeoutAsReady(ctx);
  if (asReady) return { ...becameReady, reason: asReady };
  const reason = `not ready after ${ctx.spec.ready_timeout_ms} ms: ${ctx.failure ?? "no answer"}`;
  const stop = stopNow(ctx);
  return { ...stop, effects: [{ kind: "note_start_failure", reason }, ...stop.effects], reason };
}

/** A liveness check failed failure_threshold times in a row: stop, and start again on exit. */
function unhealthy(ctx: DecisionContext): Outcome {
  return { ...stopNow(ctx), reason: `unhealthy: ${ctx.failure ?? "liveness check failed"}` };
}

/** An exit after min_uptime: restart at once (or after restart_delay_ms), or end. */
function stableExit(ctx: DecisionContext): Outcome {
  const exit = ctx.exit ?? { code: null, signal: null };
  const reason = describeExit(exit);
  if (!shouldRestart(exit, ctx.spec)) return { to: "exited", effects: [], reason };
  if (ctx.spec.restart_delay_ms === 0) return { ...launch, reason: `${reason}; restarted` };
  return {
    to: "waiting",
    effects: [{ kind: "arm_timer", timer: "backoff", ms: ctx.spec.restart_delay_ms }],
    reason,
  };
}

function exitWhileStopping(ctx: DecisionContext): Outcome {
  if (ctx.closing) return { to: "stopped", effects: [], reason: DAEMON_STOPPING };
  if (ctx.desired === "down") return { to: "stopped", effects: [], reason: "stopped" };
  if (ctx.startFailure) return unstable(ctx, ctx.startFailure, ctx.startFailure);
  return { ...launch, reason: "restarted" };
}

/** A reload replaces the running process only once the new one is ready. */
const replace: Outcome = {
  to: "reloading",
  effects: [{ kind: "spawn_replacement" }],
  reason: "reloading: the old process serves until the new one is ready",
};

const replaced: Outcome = {
  to: "online",
  effects: [{ kind: "retire_previous" }, { kind: "reset_unstable" }, { kind: "watch_health" }],
  reason: "reloaded: the new process is ready; the old one was stopped",
};

/** The replacement failed: keep the previous process, or handle it as a failed start if gone. */
function reloadFailed(
  why: (ctx: DecisionContext) => string,
  alone: Cell,
): (ctx: DecisionContext) => Transition {
  return (ctx) => {
    if (!ctx.previousAlive) return typeof alone === "function" ? alone(ctx) : alone;
    return {
      to: "online",
      effects: [{ kind: "restore_previous" }, { kind: "watch_health" }],
      reason: `reload failed: ${why(ctx)}; the old process keeps running`,
    };
  };
}

const replacementExited = reloadFailed(
  (ctx) => `the new process ${describeExit(ctx.exit)} before it was ready`,
  earlyExit,
);
const replacementFailedReadiness = reloadFailed(
  (ctx) => `not ready after ${ctx.spec.ready_timeout_ms} ms: ${ctx.failure ?? "no answer"}`,
  notReady,
);
const replacementNotReady: Cell = (ctx) => {
  const asReady = timeoutAsReady(ctx);
  if (asReady) return { ...replaced, reason: `reloaded: ${asReady}; the old one was stopped` };
  return replacementFailedReadiness(ctx);
};
const replacementSpawnFailed = reloadFailed(
  (ctx) => ctx.failure ?? "spawn failed",
  (ctx) => spawnFailed(ctx),
);

function stopReloading(ctx: DecisionContext): Outcome {
  const stop = stopNow(ctx);
  return { ...stop, effects: [{ kind: "retire_previous" }, ...stop.effects] };
}

/** The reason of every transition a daemon shutdown causes. */
export const DAEMON_STOPPING = "daemon stopping";

/** A restart is a stop whose exit starts again (desired stays up). */
function restartNow(ctx: DecisionContext): Outcome {
  return { ...stopNow(ctx), reason: "restarting" };
}

function restartReloading(ctx: DecisionContext): Outcome {
  return { ...stopReloading(ctx), reason: "restarting" };
}

/** The daemon stops: the stop signal, and no restart on exit (ctx.closing). */
function shutdownNow(ctx: DecisionContext): Outcome {
  return { ...stopNow({ ...ctx, stopSignal: ctx.spec.stop_signal }), reason: DAEMON_STOPPING };
}

function shutdownReloading(ctx: DecisionContext): Outcome {
  return {
    ...stopReloading({ ...ctx, stopSignal: ctx.spec.stop_signal }),
    reason: DAEMON_STOPPING,
  };
}

function spawnFailed(ctx: DecisionContext): Outcome {
  return { to: "errored", effects: [], reason: ctx.failure ?? "spawn failed" };
}

/** A second stop while stopping only matters when it is `--force`. */
function stopAgain(ctx: DecisionContext): Transition {
  if (ctx.stopSignal !== "SIGKILL") return "ignore";
  return { to: "stopping", effects: [{ kind: "signal_group", signal: "SIGKILL" }] };
}

const startFresh: Outcome = {
  to: "launching",
  effects: [{ kind: "reset_unstable" }, { kind: "spawn" }],
};

const DOWN_ROW = {
  start: startFresh,
  stop: "ignore",
  restart: startFresh,
  reload: startFresh,
  shutdown: "ignore",
  exit: "anomaly",
  spawn_failed: "anomaly",
  ready: "ignore",
  ready_timeout: "ignore",
  unhealthy: "ignore",
  backoff_elapsed: "ignore",
  kill_timeout: "ignore",
} as const;

/** The transition table. Columns are in EVENT_TYPES order; the README shows the same table. */
export const TRANSITIONS: { readonly [S in State]: { readonly [E in EventType]: Cell } } = {
  stopped: DOWN_ROW,
  launching: {
    start: "ignore",
    stop: stopNow,
    restart: restartNow,
    reload: restartNow,
    shutdown: shutdownNow,
    exit: earlyExit,
    spawn_failed: spawnFailed,
    ready: becameReady,
    ready_timeout: notReady,
    unhealthy: "ignore",
    backoff_elapsed: "ignore",
    kill_timeout: "ignore",
  },
  online: {
    start: "ignore",
    stop: stopNow,
    restart: restartNow,
    reload: replace,
    shutdown: shutdownNow,
    exit: stableExit,
    spawn_failed: "anomaly",
    ready: "ignore",
    ready_timeout: "ignore",
    unhealthy: unhealthy,
    backoff_elapsed: "ignore",
    kill_timeout: "ignore",
  },
  reloading: {
    start: "ignore",
    stop: stopReloading,
    restart: restartReloading,
    reload: "ignore",
    shutdown: shutdownReloading,
    exit: replacementExited,
    spawn_failed: replacementSpawnFailed,
    ready: replaced,
    ready_timeout: replacementNotReady,
    unhealthy: "ignore",
    backoff_elapsed: "ignore",
    kill_timeout: "ignore",
  },
  stopping: {
    start: "ignore",
    stop: stopAgain,
    restart: "ignore",
    reload: "ignore",
    shutdown: "ignore",
    exit: exitWhileStopping,
    spawn_failed: "anomaly",
    ready: "ignore",
    ready_timeout: "ignore",
    unhealthy: "ignore",
    backoff_elapsed: "ignore",
    kill_timeout: { to: "stopping", effects: [{ kind: "signal_group", signal: "SIGKILL" }] },
  },
  waiting: {
    start: startFresh,
    stop: { to: "stopped", effects: [], reason: "stopped while waiting to restart" },
    restart: startFresh,
    reload: startFresh,
    shutdown: { to: "stopped", effects: [], reason: DAEMON_STOPPING },
    exit: "anomaly",
    spawn_failed: "anomaly",
    ready: "ignore",
    ready_timeout: "ignore",
    unhealthy: "ignore",
    backoff_elapsed: launch,
    kill_timeout: "ignore",
  },
  exited: DOWN_ROW,
  errored: DOWN_ROW,
};

/** Looks up and decides a transition. Pure. */
export function next(state: State, event: EventType, ctx: DecisionContext): Transition {
  const cell = TRANSITIONS[state][event];
  if (typeof cell === "function") return cell(ctx);
  return cell;
}

/** Short text of a cell for the README table. */
function cellText(cell: Cell): string {
  if (cell === "ignore" || cell === "anomaly") return cell;
  if (typeof cell === "function") return CELL_NOTES.get(cell) ?? "decided";
  const effects = cell.effects.map((e) => e.kind === "arm_timer" ? `arm ${e.timer}` : e.kind);
  return effects.length ? `${cell.to}: ${effects.join(", ")}` : cell.to;
}

const CELL_NOTES = new Map<Cell, string>([
  [stopNow, "stopping: signal_group, arm kill"],
  [
    earlyExit,
    "waiting: count_unstable, arm backoff; exited if the policy says no; errored past max_restarts",
  ],
  [notReady, "stopping: note_start_failure, signal_group, arm kill"],
  [unhealthy, "stopping: signal_group, arm kill (reason unhealthy)"],
  [
    replacementExited,
    "online: restore_previous, watch_health; as launching if the old one is gone",
  ],
  [
    replacementNotReady,
    "online: restore_previous, watch_health; as launching if the old one is gone",
  ],
  [
    replacementSpawnFailed,
    "online: restore_previous, watch_health; errored if the old one is gone",
  ],
  [stopReloading, "stopping: retire_previous, signal_group, arm kill"],
  [stableExit, "launching: spawn (waiting if restart_delay_ms); exited if the policy says no"],
  [
    exitWhileStopping,
    "stopped if the daemon stops or desired is down; after ready_timeout as an early exit; else launching: spawn",
  ],
  [restartNow, "stopping: signal_group, arm kill (its exit starts again)"],
  [restartReloading, "stopping: retire_previous, signal_group, arm kill (its exit starts again)"],
  [shutdownNow, "stopping: signal_group, arm kill (desired kept)"],
  [shutdownReloading, "stopping: retire_previous, signal_group, arm kill (desired kept)"],
  [spawnFailed, "errored (reason kept)"],
  [stopAgain, "stopping: SIGKILL group if --force, else ignore"],
]);

/** The table as Markdown, compared with the README's copy by a test so the docs cannot drift. */
export function transitionTableMarkdown(): string {
  const header = `| from \\ event | ${EVENT_TYPES.join(" | ")} |`;
  const rule = `| --- | ${EVENT_TYPES.map(() => "---").join(" | ")} |`;
  const rows = (Object.keys(TRANSITIONS) as State[]).map((state) => {
    const cells = EVENT_TYPES.map((event) => cellText(TRANSITIONS[state][event]));
    return `| ${state} | ${cells.join(" | ")} |`;
  });
  return [header, rule, ...rows].join("\n");
}
