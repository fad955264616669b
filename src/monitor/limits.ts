/**
 * Resource limits of an app, checked against each sample: pure, so the daemon owns the state
 * and decides what to do with a violation. A limit must be exceeded on N consecutive samples,
 * so that a short spike (a GC, a burst of requests) does not restart a healthy process.
 */

import type { Sample } from "./sampler.ts";

/** What to do when a limit is exceeded. */
export type LimitAction = "restart" | "stop" | "log";

/** Consecutive samples over a limit before it counts as a violation (6 s at a 2 s tick). */
export const DEFAULT_LIMIT_SAMPLES = 3;

/** The limits of one app; absent fields are not checked. */
export interface Limits {
  /** Bytes of the whole process group, so a wrapper shell does not hide the real consumer. */
  max_memory?: number;
  /** Percent of one core used by the whole process group. */
  max_cpu?: number;
  /** Consecutive samples over a limit that make a violation; default DEFAULT_LIMIT_SAMPLES. */
  samples?: number;
  /** Default "restart", as pm2's max_memory_restart. */
  action?: LimitAction;
}

/** Consecutive samples over each limit so far; start from INITIAL_LIMIT_STATE. */
export interface LimitState {
  readonly memory_over: number;
  readonly cpu_over: number;
}

/** The state of an instance that has not been sampled yet. */
export const INITIAL_LIMIT_STATE: LimitState = { memory_over: 0, cpu_over: 0 };

/** A limit exceeded for long enough, with the figures to put in an event and the log. */
export interface LimitViolation {
  kind: "memory" | "cpu";
  action: LimitAction;
  instance_id: number;
  pid: number;
  /** The latest value: bytes for memory, percent of one core for cpu. */
  value: number;
  limit: number;
  samples: number;
  at: number;
}

/** Result of one check: the state to keep and a violation, if one happened. */
export interface LimitCheck {
  state: LimitState;
  violation: LimitViolation | null;
}

/**
 * Counts consecutive samples over each limit. On a violation its counter restarts from 0, so
 * the action fires again only after another N samples over the limit. Memory is checked first.
 * A sample without cpu (the first of a pid) leaves the cpu counter as it was.
 */
export function checkLimits(limits: Limits, state: LimitState, sample: Sample): LimitCheck {
  const needed = Math.max(1, limits.samples ?? DEFAULT_LIMIT_SAMPLES);
  const memory = sample.group_memory;
  const cpu = sample.group_cpu;
  let memoryOver = limits.max_memory !== undefined && memory > limits.max_memory
    ? state.memory_over + 1
    : 0;
  let cpuOver = state.cpu_over;
  if (limits.max_cpu === undefined) cpuOver = 0;
  else if (cpu !== null) cpuOver = cpu > limits.max_cpu ? cpuOver + 1 : 0;
  let violation: LimitViolation | null = null;
  const base = { action: limits.action ?? "restart", samples: needed, at: sample.at };
  const who = { instance_id: sample.instance_id, pid: sample.pid };
  if (memoryOver >= needed && limits.max_memory !== undefined) {
    violation = { kind: "memory", ...base, ...who, value: memory, limit: limits.max_memory };
    memoryOver = 0;
  } else if (cpuOver >= needed && limits.max_cpu !== undefined && cpu !== null) {
    violation = { kind: "cpu", ...base, ...who, value: cpu, limit: limits.max_cpu };
    cpuOver = 0;
  }
  return { state: { memory_over: memoryOver, cpu_over: cpuOver }, violation };
}

export { parsePercent, parseSize } from "../model/sizes.ts";
