/**
 * Watches a new process until it is ready, by the app's readiness kind, and reports it; the
 * instance turns the report into a `ready` event. Runs outside the transition table: nothing
 * here changes state. Cancelled by `dispose()` (the instance disposes it on every state change).
 */
import type { Readiness } from "../protocol/mod.ts";
import { type ProbeTarget, runProbe } from "./probes.ts";

/** Pause between two probes of an http, tcp or command readiness check. */
export const READY_POLL_MS = 100;
/** Longest a single readiness probe may take. */
export const READY_PROBE_TIMEOUT_MS = 1_000;
/** Pause between two looks at the ready file of a `notify` app. */
const READY_FILE_POLL_MS = 25;

/** What a watch tells the instance. */
export interface ReadinessReport {
  ready(detail: string): void;
  /** A probe that did not pass yet (kept as the last probe result). */
  notYet(detail: string): void;
}

/** A running readiness watch. */
export interface ReadinessWatch {
  /** Whether it reads output lines (log_line readiness, not yet matched). */
  readonly wantsLines: boolean;
  noteLine(line: string): void;
  dispose(): void;
}

/** Whether the readiness kind is told through ADASA_READY_FILE (the instance makes the file). */
export function usesReadyFile(readiness: Readiness): boolean {
  return readiness.kind === "notify" || readiness.kind === "message";
}

/** What a watch needs to know about the process. */
export interface ReadinessSubject {
  minUptimeMs: number;
  target: ProbeTarget;
  /** The file a `notify` app writes `ready` to. */
  readyFile: string | null;
}

/** Starts watching. */
export function watchReadiness(
  readiness: Readiness,
  subject: ReadinessSubject,
  report: ReadinessReport,
): ReadinessWatch {
  const abort = new AbortController();
  const once = (detail: string) => {
    if (abort.signal.aborted) return;
    abort.abort();
    report.ready(detail);
  };
  const base = {
    wantsLines: false,
    noteLine: (_line: string) => {},
    dispose: () => abort.abort(),
  };
  switch (readiness.kind) {
    case "uptime": {
      const ms = subject.minUptimeMs;
      const timer = setTimeout(() => once(`up for ${ms} ms`), ms);
      abort.signal.addEventListener("abort", () => clearTimeout(timer));
      return base;
    }
    case "log_line":
      return logLineWatch(new RegExp(readiness.pattern), abort, once);
    case "notify":
      report.notYet(`waiting for "ready" in $ADASA_READY_FILE (${subject.readyFile})`);
      pollReadyFile(subject.readyFile!, abort.signal, () => once("the program wrote ready"));
      return base;
    case "message":
      // The preload turns process.send("ready") into `ready` in the ready file.
      report.notYet('waiting for process.send("ready")');
      pollReadyFile(subject.readyFile!, abort.signal, () => once('the program sent "ready"'));
      return base;
    default:
      pollCheck(readiness, subject.target, abort.signal, once, report);
      return base;
  }
}

function logLineWatch(
  pattern: RegExp,
  abort: AbortController,
  once: (detail: string) => void,
): ReadinessWatch {
  return {
    get wantsLines() {
      return !abort.signal.aborted;
    },
    noteLine(line) {
      if (pattern.test(line)) once(`output matched /${pattern.source}/: ${line.slice(0, 200)}`);
    },
    dispose: () => abort.abort(),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

async function pollCheck(
  check: Exclude<Readiness, { kind: "uptime" | "log_line" | "notify" | "message" }>,
  target: ProbeTarget,
  signal: AbortSignal,
  once: (detail: string) => void,
  report: ReadinessReport,
): Promise<void> {
  while (!signal.aborted) {
    const result = await runProbe(check, target, { timeoutMs: READY_PROBE_TIMEOUT_MS, signal });
    if (signal.aborted) return;
    if (result.ok) return once(result.detail);
    report.notYet(result.detail);
    await sleep(READY_POLL_MS, signal);
  }
}

/** `ready` (any case, trailing blanks ignored) or systemd's `READY=1` count. */
async function pollReadyFile(
  path: string,
  signal: AbortSignal,
  found: () => void,
): Promise<void> {
  while (!signal.aborted) {
    let text = "";
    try {
      text = await Deno.readTextFile(path);
    } catch {
      // not written yet
    }
    if (signal.aborted) return;
    if (/^(ready|READY=1)\s*$/im.test(text)) return found();
    await sleep(READY_FILE_POLL_MS, signal);
  }
}
