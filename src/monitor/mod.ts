/**
 * @module
 * Monitoring: reads /proc (never spawning ps) for CPU and memory of each instance and of its
 * whole process group in one pass per tick, and decides limit violations. May import only
 * src/protocol; the daemon stores the samples and acts on violations.
 *
 * @example
 * ```ts
 * const sampler = new Sampler();
 * const samples = sampler.sample([{ id: 1, pid: 4242 }]);
 * ```
 */
export { Sampler } from "./sampler.ts";
export type { Sample, SampleTarget } from "./sampler.ts";
export { checkLimits, INITIAL_LIMIT_STATE, parsePercent, parseSize } from "./limits.ts";
export type { Limits, LimitState, LimitViolation } from "./limits.ts";
export { readStartTicks } from "./proc.ts";
