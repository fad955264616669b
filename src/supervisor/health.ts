/**
 * The liveness check of an online process: a probe every `interval_ms`; after
 * `failure_threshold` failures in a row it reports the process unhealthy once and stops (the
 * instance turns that into an `unhealthy` event). Runs outside the transition table;
 * cancelled by `dispose()` on every state change.
 */
import type { Liveness } from "../protocol/mod.ts";
import { type ProbeResult, type ProbeTarget, runProbe } from "./probes.ts";

/** What the check tells the instance. */
export interface HealthReport {
  /** Every probe's result, with the failures in a row so far. */
  probed(result: ProbeResult, failures: number): void;
  unhealthy(detail: string): void;
}

/** Starts the liveness loop; returns its disposer. */
export function watchHealth(
  liveness: Liveness,
  target: ProbeTarget,
  report: HealthReport,
): { dispose(): void } {
  const abort = new AbortController();
  runLoop(liveness, target, report, abort.signal);
  return { dispose: () => abort.abort() };
}

async function runLoop(
  liveness: Liveness,
  target: ProbeTarget,
  report: HealthReport,
  signal: AbortSignal,
): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, liveness.interval_ms);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
    if (signal.aborted) return;
    const result = await runProbe(liveness, target, { timeoutMs: liveness.timeout_ms, signal });
    if (signal.aborted) return;
    failures = result.ok ? 0 : failures + 1;
    report.probed(result, failures);
    if (failures >= liveness.failure_threshold) {
      return report.unhealthy(
        `${failures} liveness checks failed in a row; last: ${result.detail}`,
      );
    }
  }
}
