/**
 * The executor's seams to the operating system: spawning and signalling processes, and timers.
 * The daemon uses the real ones below; the executor's own tests pass fakes, so command
 * interleavings run in milliseconds without real processes.
 */
import { type EscapeReport, stopEscaped } from "./escaped.ts";
import { isGroupAlive } from "./kill.ts";
import { reapGroup, retireChild, signalChildGroup } from "./retire.ts";
import type { AppSpec } from "../protocol/mod.ts";
import { checkSpawnable, spawnChild, type SpawnedChild } from "./spawn.ts";

/** Processes as the executor uses them. */
export interface ProcessPort {
  /**
   * Starts the app's program with `env` as its whole environment.
   *
   * @throws {SpawnError} when the cwd, the program or the script is missing or not executable
   */
  spawn(spec: AppSpec, env: Record<string, string>): SpawnedChild;
  /**
   * Checks that `spawn` would find the cwd, the program and the script, spawning nothing.
   *
   * @throws {SpawnError} naming what is missing
   */
  check(spec: AppSpec, env: Record<string, string>): void;
  /** Signals the group led by `pid` (or `pid` itself before its setsid). */
  signalGroup(pid: number, signal: string): void;
  /** Whether a live member is left in the group led by `pid`. */
  groupAlive(pid: number): boolean;
  /** Stops a replaced child's group; resolves once it is gone. */
  retire(child: SpawnedChild, signal: string, killTimeoutMs: number): Promise<void>;
  /** Signals what is left of a dead leader's group, SIGKILL after `graceMs`. */
  reap(pid: number, signal: string, graceMs: number): void;
  /**
   * Stops the live processes outside any current group that carry `marks` in their
   * environment (descendants that escaped a stop); resolves once they are gone.
   */
  stopEscaped(
    marks: Record<string, string>,
    signal: string,
    killTimeoutMs: number,
  ): Promise<EscapeReport>;
}

/** Timers as the executor uses them. */
export interface TimerPort {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const REAL_PROCESSES: ProcessPort = {
  spawn: spawnChild,
  check: (spec, env) => void checkSpawnable(spec, env),
  signalGroup: signalChildGroup,
  groupAlive: (pid) => isGroupAlive(pid),
  retire: retireChild,
  reap: reapGroup,
  stopEscaped,
};

export const REAL_TIMERS: TimerPort = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as number),
};
