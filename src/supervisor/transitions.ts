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

/** Something the instance must do on a transition. Every timer is cancelled on a state change. */
export type Effect =
  | { kind: "spawn" }
  | { kind: "signal_group"; signal: string }
  | { kind: "arm_timer"; timer: "uptime" | "backoff" | "kill"; ms: number }
  | { kind: "count_unstable" }
  | { kind: "reset_unstable" };

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
  >;
  unstableRestarts: number;
  exit?: { code: number | null; signal: string | null };
  /** Signal for a stop; SIGKILL for `stop --force`. */
  stopSignal?: string;
  /** Why spawning failed (spawn_failed). */
  failure?: string;
}

/** One cell of the table. */
export type Cell = Outcome | ((ctx: DecisionContext) => Transition) | "ignore" | "anomaly";

/** The result of looking up a transition. */
export type Transition = Outcome | "ignore" | "anomaly";

const launch: Outcome = { to: "launching", effects: [{ kind: "spawn" }] };

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

/** An exit before min_uptime: restart with backoff, or give up at the limit. */
function earlyExit(ctx: DecisionContext): Outcome {
  const exit = ctx.exit ?? { code: null, signal: null };
  if (!shouldRestart(exit, ctx.spec)) {
    return { to: "exited", effects: [], reason: describeExit(exit) };
  }
  const unstable = ctx.unstableRestarts + 1;
  if (unstable > ctx.spec.max_restarts) {
    return {
      to: "errored",
      effects: [{ kind: "count_unstable" }],
      reason: `${ctx.spec.max_restarts} unstable restarts (each ${describeExit(exit)} ` +
        `within min_uptime ${ctx.spec.min_uptime_ms} ms); restart it to try again`,
    };
  }
  return {
    to: "waiting",
    effects: [
      { kind: "count_unstable" },
      { kind: "arm_timer", timer: "backoff", ms: backoffDelay(unstable, ctx.spec) },
    ],
    reason: `${describeExit(exit)} before min_uptime; unstable restart ${unstable}`,
  };
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
  if (ctx.desired === "up") return { ...launch, reason: "restarted" };
  return { to: "stopped", effects: [], reason: "stopped" };
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

/** The transition table. Columns are in EVENT_TYPES order; the README shows the same table. */
export const TRANSITIONS: { readonly [S in State]: { readonly [E in EventType]: Cell } } = {
  stopped: {
    start: startFresh,
    stop: "ignore",
    exit: "anomaly",
    spawn_failed: "anomaly",
    uptime_reached: "ignore",
    backoff_elapsed: "ignore",
    kill_timeout: "ignore",
  },
  launching: {
    start: "ignore",
    stop: stopNow,
    exit: earlyExit,
    spawn_failed: spawnFailed,
    uptime_reached: { to: "online", effects: [{ kind: "reset_unstable" }] },
    backoff_elapsed: "ignore",
    kill_timeout: "ignore",
  },
  online: {
    start: "ignore",
    stop: stopNow,
    exit: stableExit,
    spawn_failed: "anomaly",
    uptime_reached: "ignore",
    backoff_elapsed: "ignore",
    kill_timeout: "ignore",
  },
  stopping: {
    start: "ignore",
    stop: stopAgain,
    exit: exitWhileStopping,
    spawn_failed: "anomaly",
    uptime_reached: "ignore",
    backoff_elapsed: "ignore",
    kill_timeout: { to: "stopping", effects: [{ kind: "signal_group", signal: "SIGKILL" }] },
  },
  waiting: {
    start: startFresh,
    stop: { to: "stopped", effects: [], reason: "stopped while waiting to restart" },
    exit: "anomaly",
    spawn_failed: "anomaly",
    uptime_reached: "ignore",
    backoff_elapsed: launch,
    kill_timeout: "ignore",
  },
  exited: {
    start: startFresh,
    stop: "ignore",
    exit: "anomaly",
    spawn_failed: "anomaly",
    uptime_reached: "ignore",
    backoff_elapsed: "ignore",
    kill_timeout: "ignore",
  },
  errored: {
    start: startFresh,
    stop: "ignore",
    exit: "anomaly",
    spawn_failed: "anomaly",
    uptime_reached: "ignore",
    backoff_elapsed: "ignore",
    kill_timeout: "ignore",
  },
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
  [stableExit, "launching: spawn (waiting if restart_delay_ms); exited if the policy says no"],
  [exitWhileStopping, "desired up ? launching: spawn : stopped"],
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
