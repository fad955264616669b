/**
 * The one import of @logtape/logtape: the daemon's own log. Category `adasa`, with
 * `adasa.perf` for operations slower than their threshold (on when ADASA_PERF=1).
 * Every daemon-side module may import this file; the CLI never does.
 */
import {
  configure,
  getLogger as logtapeLogger,
  getTextFormatter,
  type Logger,
  type LogRecord,
  reset,
  type Sink,
} from "@logtape/logtape";

export type { Logger };

/** The logger of a category below `adasa`, e.g. `getLogger("supervisor")`. */
export function getLogger(...category: string[]): Logger {
  return logtapeLogger(["adasa", ...category]);
}

/** Whether slow-operation logging is on (ADASA_PERF=1). */
export function perfEnabled(): boolean {
  return Deno.env.get("ADASA_PERF") === "1";
}

/** Logs `what` to `adasa.perf` when it took longer than `thresholdMs`. */
export function logIfSlow(what: string, startedAt: number, thresholdMs: number): void {
  if (!PERF) return;
  const ms = performance.now() - startedAt;
  if (ms > thresholdMs) {
    getLogger("perf").warn("{what} took {ms} ms (threshold {thresholdMs} ms)", {
      what,
      ms: Math.round(ms * 10) / 10,
      thresholdMs,
    });
  }
}

let PERF = false;

/**
 * Sends the log to `file` (appended, mode 0600) and, when `stderr` is set, to standard error.
 * Returns a function that flushes and closes the file.
 */
export async function configureLogging(
  options: { file: string; stderr: boolean; level?: "debug" | "info" },
): Promise<() => Promise<void>> {
  PERF = perfEnabled();
  const file = await Deno.open(options.file, { append: true, create: true, mode: 0o600 });
  const format = getTextFormatter();
  const encoder = new TextEncoder();
  const fileSink: Sink = (record: LogRecord) => {
    try {
      file.writeSync(encoder.encode(format(record)));
    } catch {
      // A full disk must not take the daemon down; the line is lost, supervision goes on.
    }
  };
  const sinks: Record<string, Sink> = { file: fileSink };
  if (options.stderr) {
    sinks.stderr = (record: LogRecord) => {
      try {
        Deno.stderr.writeSync(encoder.encode(format(record)));
      } catch {
        // stderr closed: nothing to do.
      }
    };
  }
  await configure({
    reset: true,
    sinks,
    loggers: [
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: Object.keys(sinks) },
      { category: ["adasa"], lowestLevel: options.level ?? "info", sinks: Object.keys(sinks) },
    ],
  });
  return async () => {
    await reset();
    file.close();
  };
}
