/** State and event names of the process state machine, and the named groups of states. */
import type { State } from "../protocol/mod.ts";

export type { State };

/**
 * What can happen to an instance. `start`, `stop`, `restart` and `reload` are user commands
 * (they carry a job and set `desired`); `shutdown` is the daemon stopping, which leaves
 * `desired` alone; the rest come from the process, its probes and the timers.
 */
export type EventType =
  | "start"
  | "stop"
  | "restart"
  | "reload"
  | "shutdown"
  | "exit"
  | "spawn_failed"
  | "ready"
  | "ready_timeout"
  | "unhealthy"
  | "backoff_elapsed"
  | "kill_timeout";

/** Every event type, in the order of the README's table columns. */
export const EVENT_TYPES: readonly EventType[] = [
  "start",
  "stop",
  "restart",
  "reload",
  "shutdown",
  "exit",
  "spawn_failed",
  "ready",
  "ready_timeout",
  "unhealthy",
  "backoff_elapsed",
  "kill_timeout",
];

/** States in which a child process exists. */
export const ALIVE_STATES: ReadonlySet<State> = new Set([
  "launching",
  "online",
  "reloading",
  "stopping",
]);
/** States in which `adasa signal` may reach the child. */
export const SIGNALLABLE_STATES: ReadonlySet<State> = new Set(["launching", "online", "reloading"]);
/** States that end an operation waiting for an instance to stop. */
export const DOWN_STATES: ReadonlySet<State> = new Set(["stopped", "exited", "errored"]);
/** States in which the instance's process has passed its readiness check. */
export const READY_STATES: ReadonlySet<State> = new Set(["online", "reloading"]);
