/**
 * Exits and restarts of each app by reason, counted from the transitions the supervisor
 * records, for the fleet figures of `/metrics` (#19). Counts start at 0 with the daemon, as
 * Prometheus counters do.
 */
import type { TransitionRecord } from "../supervisor/mod.ts";

/** Why a process ended: asked to stop, killed by a signal, a non-zero or a zero exit code. */
export const EXIT_REASONS = ["stopped", "signal", "error", "clean"] as const;
/** What started a process again: a crash, a user command, a schedule, a file, a limit, a probe. */
export const RESTART_REASONS = [
  "crash",
  "command",
  "cron",
  "watch",
  "limit",
  "unhealthy",
  "other",
] as const;

export type ExitReason = typeof EXIT_REASONS[number];
export type RestartReason = typeof RESTART_REASONS[number];

/** One counter of one app. */
export interface ReasonCount {
  app: string;
  reason: string;
  count: number;
}

/** Classifies the exit of a transition, or null when the transition is no exit. */
export function exitReasonOf(record: TransitionRecord): ExitReason | null {
  if (record.event !== "exit") return null;
  if (record.from === "stopping") return "stopped";
  if (record.exit?.signal) return "signal";
  return record.exit?.code === 0 ? "clean" : "error";
}

/** The cause a command or probe gives a restart it may lead to; null for other events. */
export function restartCauseOf(record: TransitionRecord): RestartReason | null {
  if (record.event === "exit") return record.from === "stopping" ? null : "crash";
  if (record.event === "unhealthy") return "unhealthy";
  if (record.event !== "restart" && record.event !== "reload") return null;
  const reason = record.reason ?? "";
  if (reason.startsWith("cron_restart")) return "cron";
  if (reason.startsWith("watch:")) return "watch";
  if (/max_memory|max_cpu/.test(reason)) return "limit";
  return "command";
}

/** Counts per app and reason; a restart is a rise of the instance's `restarts`. */
export class FleetCounters {
  readonly #exits = new Map<string, number>();
  readonly #restarts = new Map<string, number>();
  readonly #lastRestarts = new Map<number, number>();
  readonly #cause = new Map<number, RestartReason>();

  observe(record: TransitionRecord): void {
    const id = record.snapshot.id;
    const exit = exitReasonOf(record);
    if (exit) add(this.#exits, record.app, exit, 1);
    const cause = restartCauseOf(record);
    if (cause) this.#cause.set(id, cause);
    const restarts = record.snapshot.restarts;
    const before = this.#lastRestarts.get(id);
    this.#lastRestarts.set(id, restarts);
    if (before === undefined || restarts <= before) return;
    add(this.#restarts, record.app, this.#cause.get(id) ?? "other", restarts - before);
    this.#cause.delete(id);
  }

  /**
   * Forgets removed instances and deleted apps, so a daemon that creates and deletes apps
   * all day holds counters only for the apps it has: a deleted app's series end, as a
   * deleted target's do in Prometheus.
   */
  forget(instanceIds: Iterable<number>, apps: Iterable<string>): void {
    for (const id of instanceIds) {
      this.#lastRestarts.delete(id);
      this.#cause.delete(id);
    }
    const gone = new Set(apps);
    if (gone.size === 0) return;
    for (const map of [this.#exits, this.#restarts]) {
      for (const key of [...map.keys()]) {
        if (gone.has((JSON.parse(key) as [string, string])[0])) map.delete(key);
      }
    }
  }

  /** Entries held: per instance and per app and reason (for tests of what a delete frees). */
  get size(): { instances: number; counters: number } {
    const ids = new Set([...this.#lastRestarts.keys(), ...this.#cause.keys()]);
    return { instances: ids.size, counters: this.#exits.size + this.#restarts.size };
  }

  exits(): ReasonCount[] {
    return counts(this.#exits);
  }

  restarts(): ReasonCount[] {
    return counts(this.#restarts);
  }
}

function add(map: Map<string, number>, app: string, reason: string, n: number): void {
  const key = JSON.stringify([app, reason]);
  map.set(key, (map.get(key) ?? 0) + n);
}

function counts(map: Map<string, number>): ReasonCount[] {
  return [...map].map(([key, count]) => {
    const [app, reason] = JSON.parse(key) as [string, string];
    return { app, reason, count };
  });
}
