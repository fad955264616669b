/**
 * Starting apps in dependency order (`depends_on`): an app starts once each dependency meets
 * its condition (`started`, `ready`, `completed`), and its start then settles as ready,
 * completed (a one-shot job that exited 0) or failed. A dependency that fails leaves its
 * dependents unstarted, with the reason.
 */
import { AdasaError, type DependencyCondition } from "../protocol/mod.ts";
import { findCycle } from "../model/dependencies.ts";
import type { Instance } from "./instance.ts";

/** The part of an app this module looks at. */
export interface AppInstances {
  instances: Instance[];
}

/** Where a condition stands. */
export type Evaluation =
  | { kind: "pending" }
  | { kind: "met"; status: "started" | "ready" | "completed" }
  | { kind: "failed"; reason: string };

/** One app to start. */
export interface StartItem<A extends AppInstances> {
  name: string;
  depends_on: Record<string, DependencyCondition>;
  /** Creates or starts the app; resolves once its processes were spawned. */
  start(): Promise<A>;
}

/** How the start of one app ended. */
export interface StartOutcome {
  name: string;
  status: "ready" | "completed" | "started" | "failed" | "not_started";
  reason: string | null;
}

function failure(instance: Instance): string {
  const why = instance.snapshot().reason ?? instance.state;
  return `instance ${instance.id} is ${instance.state}: ${why}`;
}

/** Where `condition` stands for every instance of `app`. A failed start (waiting) fails it. */
export function evaluateCondition(app: AppInstances, condition: DependencyCondition): Evaluation {
  let status: "started" | "ready" | "completed" = "completed";
  for (const instance of app.instances) {
    const state = instance.state;
    const code = instance.snapshot().exit_code;
    if (state === "exited" && code === 0) continue;
    if (state === "exited" || state === "errored" || state === "waiting" || state === "stopped") {
      return { kind: "failed", reason: failure(instance) };
    }
    if (condition === "completed") return { kind: "pending" };
    if (state === "online" || state === "reloading") {
      if (status === "completed") status = "ready";
      continue;
    }
    if (condition === "started" && state === "launching") {
      status = "started";
      continue;
    }
    return { kind: "pending" };
  }
  return { kind: "met", status };
}

/** Resolves once `condition` is met or has failed for `app`. */
export async function waitForCondition(
  app: AppInstances,
  condition: DependencyCondition,
): Promise<Exclude<Evaluation, { kind: "pending" }>> {
  const done = new AbortController();
  try {
    while (true) {
      const now = evaluateCondition(app, condition);
      if (now.kind !== "pending") return now;
      const settled = () => evaluateCondition(app, condition).kind !== "pending";
      await Promise.race(
        // A wait ends by the condition or by the abort below; either way we look again.
        app.instances.map((i) => i.waitUntil(settled, done.signal).catch(() => {})),
      );
    }
  } finally {
    done.abort();
  }
}

/**
 * Starts `items` as their dependencies allow, in parallel where they are independent.
 * Dependencies outside `items` are looked up with `lookup` (apps already defined). Each start
 * settles once its app is ready, or with `settle: "started"` once its processes were spawned.
 * Items without dependencies are started before this returns, in the caller's turn, so a
 * caller can hold their writes in one transaction.
 *
 * @throws {AdasaError} INVALID_ARGUMENT for a dependency cycle
 */
export async function startInOrder<A extends AppInstances>(
  items: readonly StartItem<A>[],
  lookup: (name: string) => A | undefined,
  settle: "ready" | "started" = "ready",
): Promise<StartOutcome[]> {
  const cycle = findCycle(items);
  if (cycle) {
    throw new AdasaError("INVALID_ARGUMENT", `dependency cycle: ${cycle.join(" -> ")}`);
  }
  const started = new Map(items.map((item) => [item.name, Promise.withResolvers<A | null>()]));
  const runOne = async (item: StartItem<A>): Promise<StartOutcome> => {
    const gate = started.get(item.name)!;
    try {
      const free = Object.keys(item.depends_on).length === 0;
      const blocked = free ? null : await waitForDependencies(item, started, lookup);
      if (blocked) {
        gate.resolve(null);
        return { name: item.name, status: "not_started", reason: blocked };
      }
      const app = await item.start();
      gate.resolve(app);
      const settled = await waitForCondition(app, settle);
      if (settled.kind === "failed") {
        return { name: item.name, status: "failed", reason: settled.reason };
      }
      return { name: item.name, status: settled.status, reason: null };
    } catch (error) {
      gate.resolve(null);
      return { name: item.name, status: "failed", reason: (error as Error).message };
    }
  };
  return await Promise.all(items.map(runOne));
}

/** Waits for each dependency's condition; returns why the app may not start, or null. */
async function waitForDependencies<A extends AppInstances>(
  item: StartItem<A>,
  started: Map<string, PromiseWithResolvers<A | null>>,
  lookup: (name: string) => A | undefined,
): Promise<string | null> {
  for (const [dep, condition] of Object.entries(item.depends_on)) {
    const gate = started.get(dep);
    const app = gate ? await gate.promise : lookup(dep);
    if (!app) {
      return gate
        ? `dependency "${dep}" was not started`
        : `depends on "${dep}", which is not defined; start it first`;
    }
    const result = await waitForCondition(app, condition);
    if (result.kind === "failed") return `dependency "${dep}" (${condition}): ${result.reason}`;
  }
  return null;
}
