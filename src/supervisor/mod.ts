/**
 * @module
 * Supervision: the process state machine (a table in transitions.ts), instances that apply
 * it one event at a time, spawning in a new process group, group signals, restart policy
 * and backoff. May import src/protocol and src/logger.ts only; persistence and log capture
 * come in through the injected RegistryPort and hooks, wired by src/daemon.
 *
 * @example
 * ```ts
 * const supervisor = new Supervisor({ registry, now: Date.now, attachOutput, startTicksOf, onPersistError });
 * await supervisor.create(normalizeAppSpec({ command: "sleep", args: ["60"], cwd: "/" }));
 * ```
 */
export { type AppEntry, Supervisor, type SupervisorDeps } from "./supervisor.ts";
export { Instance, type InstanceSnapshot, type TransitionRecord } from "./instance.ts";
export type { AppEvent, RegistryPort } from "./registry_port.ts";
export type { SpawnedChild } from "./spawn.ts";
export { invocation, openFileLimit } from "./spawn.ts";
export { interpreterFor } from "./interpreter.ts";
export { transitionTableMarkdown } from "./transitions.ts";
export { ALIVE_STATES, DOWN_STATES } from "./states.ts";
export type { StartItem, StartOutcome } from "./start_order.ts";
