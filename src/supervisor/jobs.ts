/**
 * User commands as jobs with results (systemd's model): every start, stop, restart or reload
 * becomes a job on the instance, and the job ends with a typed outcome: `done`, `failed` with
 * an error code, or `superseded` by a later command whose goal conflicts with it. Which
 * transition settles which job is decided here, from the transition's data (target state,
 * effects, spawn count), never from a reason's text. Pure but for the promise it settles.
 */
import type { ErrorCode } from "../protocol/mod.ts";
import type { State } from "./states.ts";
import type { Effect } from "./transitions.ts";

/** The commands that become jobs on an instance. */
export type CommandKind = "start" | "stop" | "restart" | "reload";

/** What ends a job: done, failed with a code, or superseded by a later command. */
export type JobOutcome =
  | { status: "done" }
  | { status: "failed"; code: ErrorCode; message: string }
  | { status: "superseded"; by: string };

/** A transition as a job sees it. */
export interface JobView {
  to: State;
  effects: readonly Effect[];
  reason: string | null;
  /** Children spawned by the instance so far (after this transition). */
  spawns: number;
  /** Whether the transition came from a spawn that failed. */
  spawnFailed: boolean;
}

const RUNNING: ReadonlySet<State> = new Set(["launching", "online", "reloading"]);
const DOWN: ReadonlySet<State> = new Set(["stopped", "exited", "errored"]);

/** Whether two commands want the same thing (up or down); a conflicting one supersedes. */
export function conflicts(a: CommandKind, b: CommandKind): boolean {
  return (a === "stop") !== (b === "stop");
}

function failedStart(view: JobView): JobOutcome {
  return {
    status: "failed",
    code: view.spawnFailed ? "SPAWN_FAILED" : "START_FAILED",
    message: view.reason ?? `it is ${view.to}`,
  };
}

/**
 * How a pending job stands after a transition (or, with the current state, right when it is
 * issued): settled with an outcome, or null to keep waiting.
 */
export function verdict(kind: CommandKind, spawnsBefore: number, view: JobView): JobOutcome | null {
  switch (kind) {
    case "stop":
      return DOWN.has(view.to) ? { status: "done" } : null;
    case "start":
      if (RUNNING.has(view.to) || view.to === "exited") return { status: "done" };
      if (view.to === "errored") return failedStart(view);
      return null;
    case "restart":
      if (view.spawns > spawnsBefore && RUNNING.has(view.to)) return { status: "done" };
      if (view.to === "errored" || view.to === "waiting") return failedStart(view);
      if (view.to === "exited" && view.spawns > spawnsBefore) return { status: "done" };
      return null;
    case "reload":
      if (view.effects.some((e) => e.kind === "restore_previous")) {
        return {
          status: "failed",
          code: "RELOAD_FAILED",
          message: view.reason ?? "reload failed; the old process keeps running",
        };
      }
      if (view.spawns > spawnsBefore && view.to === "online") return { status: "done" };
      if (view.to === "errored" || view.to === "waiting" || view.to === "exited") {
        return failedStart(view);
      }
      return null;
  }
}

/** A job waiting on an instance. */
export class Job {
  readonly kind: CommandKind;
  readonly spawnsBefore: number;
  readonly #settled = Promise.withResolvers<JobOutcome>();
  #done = false;

  constructor(kind: CommandKind, spawnsBefore: number) {
    this.kind = kind;
    this.spawnsBefore = spawnsBefore;
  }

  /** Resolves with the outcome; never rejects. */
  get outcome(): Promise<JobOutcome> {
    return this.#settled.promise;
  }

  get settled(): boolean {
    return this.#done;
  }

  settle(outcome: JobOutcome): void {
    if (this.#done) return;
    this.#done = true;
    this.#settled.resolve(outcome);
  }
}
