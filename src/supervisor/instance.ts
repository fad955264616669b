/**
 * One instance of an app: applies the transition table to it, one event at a time (a FIFO
 * queue, no await inside a transition), carries out the effects, and hands every transition to
 * the injected `persist`, which writes the instance row and an events row in one transaction.
 * A spawn also arms the min_uptime timer; every timer is cancelled when the state changes.
 */
import type { AppSpec, Desired, InstanceRuntime, State } from "../protocol/mod.ts";
import { logIfSlow } from "../logger.ts";
import { isGroupAlive, signalGroup, signalProcess } from "./kill.ts";
import { type ExitStatus, spawnChild, type SpawnedChild, SpawnError } from "./spawn.ts";
import type { EventType } from "./states.ts";
import { type DecisionContext, type Effect, next, type Outcome } from "./transitions.ts";

/** The persisted columns of an instance (the `instances` row less its fixed columns). */
export type InstanceSnapshot = InstanceRuntime;

/** A transition, as persisted and published. */
export interface TransitionRecord {
  snapshot: InstanceSnapshot;
  app: string;
  event: EventType | "anomaly";
  from: State;
  to: State;
  at: number;
  pid: number | null;
  exit: ExitStatus | null;
  uptime_ms: number | null;
  reason: string | null;
}

/** What an instance needs from the rest of the daemon. */
export interface InstanceHooks {
  now(): number;
  /** Writes the transition (row + event) in one transaction. May throw (disk full). */
  persist(record: TransitionRecord): void;
  /** The full environment for a spawn of this instance. */
  environment(instance: Instance): Record<string, string>;
  /** Takes over the child's stdout and stderr (log capture). Caller must consume both. */
  attachOutput(instance: Instance, child: SpawnedChild): void;
  /** Start time of a pid in clock ticks since boot, or null. */
  startTicksOf(pid: number): number | null;
  /** Called when persisting failed; supervision goes on. */
  onPersistError(error: unknown, record: TransitionRecord): void;
}

/**
 * Signals the child's group; in the instant between fork and setsid(2) the group does not
 * exist yet, so the child itself is signalled instead.
 */
function signalChildGroup(pid: number, signal: string): void {
  if (!signalGroup(pid, signal)) signalProcess(pid, signal);
}

/** Signals what is left of a dead leader's group, then SIGKILLs it after `graceMs`. */
function reapGroup(pgid: number, signal: string, graceMs: number): void {
  signalGroup(pgid, signal);
  const timer = setTimeout(() => signalGroup(pgid, "SIGKILL"), graceMs);
  Deno.unrefTimer(timer as unknown as number);
}

/** Thresholds of the `adasa.perf` log (ADASA_PERF=1). */
const SPAWN_SLOW_MS = 200;
const EXIT_SLOW_MS = 50;

type QueuedEvent = { type: EventType; extra: Partial<DecisionContext> };

/** One supervised instance. */
export class Instance {
  readonly id: number;
  readonly appIndex: number;
  readonly #hooks: InstanceHooks;
  #getSpec: () => AppSpec;
  #snapshot: InstanceSnapshot;
  #child: SpawnedChild | null = null;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #queue: QueuedEvent[] = [];
  #draining = false;
  #spawns = 0;
  #waiters = new Set<() => void>();

  constructor(
    init: { snapshot: InstanceSnapshot; appIndex: number; spec: () => AppSpec },
    hooks: InstanceHooks,
  ) {
    this.id = init.snapshot.id;
    this.appIndex = init.appIndex;
    this.#snapshot = { ...init.snapshot };
    this.#getSpec = init.spec;
    this.#hooks = hooks;
  }

  get spec(): AppSpec {
    return this.#getSpec();
  }
  get state(): State {
    return this.#snapshot.state;
  }
  get desired(): Desired {
    return this.#snapshot.desired;
  }
  get pid(): number | null {
    return this.#snapshot.pid;
  }
  /** How many children this object has spawned; tells a new child from the old one. */
  get spawns(): number {
    return this.#spawns;
  }
  snapshot(): InstanceSnapshot {
    return { ...this.#snapshot };
  }

  /** The user wants it up: start it (a stop in progress turns into a restart). */
  start(): void {
    this.#snapshot.desired = "up";
    this.dispatch("start");
  }

  /** The user wants it down. `force` sends SIGKILL at once. */
  stop(options: { force?: boolean } = {}): void {
    this.#snapshot.desired = "down";
    this.dispatch("stop", options.force ? { stopSignal: "SIGKILL" } : {});
  }

  /** Stop then start again; a stopped instance is just started. */
  restart(): void {
    this.#snapshot.desired = "up";
    if (this.state === "launching" || this.state === "online") this.dispatch("stop");
    else this.dispatch("start");
  }

  /** Queues an event; events are handled one at a time, in order. */
  dispatch(type: EventType, extra: Partial<DecisionContext> = {}): void {
    this.#queue.push({ type, extra });
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let item = this.#queue.shift(); item; item = this.#queue.shift()) {
        this.#handle(item);
      }
    } finally {
      this.#draining = false;
    }
    for (const wake of [...this.#waiters]) wake();
  }

  /** Resolves once `predicate` holds (checked now and after every transition). */
  waitUntil(predicate: (instance: Instance) => boolean, signal?: AbortSignal): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate(this)) return;
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
      signal?.addEventListener("abort", () => {
        this.#waiters.delete(check);
        reject(signal.reason);
      }, { once: true });
    });
  }

  /** Sends a signal to the running child's process group. */
  signal(signal: string): boolean {
    const pid = this.#child?.pid;
    if (!pid) return false;
    signalChildGroup(pid, signal);
    return true;
  }

  /** Cancels timers; used when the daemon shuts down after its children are gone. */
  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #handle(item: QueuedEvent): void {
    const from = this.state;
    const ctx: DecisionContext = {
      desired: this.desired,
      spec: this.spec,
      unstableRestarts: this.#snapshot.unstable_restarts,
      ...item.extra,
    };
    const outcome = next(from, item.type, ctx);
    if (outcome === "ignore") return;
    if (outcome === "anomaly") {
      this.#record({ event: "anomaly", from, reason: `unexpected ${item.type} in ${from}` });
      return;
    }
    this.#apply(item, outcome);
  }

  #apply(item: QueuedEvent, outcome: Outcome): void {
    const from = this.state;
    const exited = item.type === "exit" ? this.#noteExit(item.extra.exit ?? null) : null;
    if (outcome.to !== from) this.dispose();
    this.#snapshot.state = outcome.to;
    if (outcome.reason !== undefined) this.#snapshot.reason = outcome.reason;
    for (const effect of outcome.effects) this.#run(effect, item.type);
    this.#record({
      event: item.type,
      from,
      reason: outcome.reason ?? null,
      pid: exited?.pid ?? this.pid,
      exit: item.extra.exit ?? null,
      uptime_ms: exited?.uptime_ms ?? null,
    });
  }

  #noteExit(exit: ExitStatus | null): { pid: number | null; uptime_ms: number | null } {
    const s = this.#snapshot;
    const at = this.#hooks.now();
    const noted = { pid: s.pid, uptime_ms: s.started_at === null ? null : at - s.started_at };
    s.exited_at = at;
    s.exit_code = exit?.code ?? null;
    s.exit_signal = exit?.signal ?? null;
    s.pid = null;
    s.pid_start_ticks = null;
    this.#child = null;
    return noted;
  }

  #run(effect: Effect, cause: EventType): void {
    switch (effect.kind) {
      case "spawn":
        // A user's start is not a restart; a crash, a backoff or a restart command is.
        return this.#spawn(cause !== "start");
      case "signal_group":
        if (this.#child) signalChildGroup(this.#child.pid, effect.signal);
        return;
      case "arm_timer":
        return this.#arm(effect.timer, effect.ms);
      case "count_unstable":
        this.#snapshot.unstable_restarts++;
        return;
      case "reset_unstable":
        this.#snapshot.unstable_restarts = 0;
        return;
    }
  }

  #spawn(isRestart: boolean): void {
    let child: SpawnedChild;
    const started = performance.now();
    try {
      child = spawnChild(this.spec, this.#hooks.environment(this));
      logIfSlow(`spawn of instance ${this.id}`, started, SPAWN_SLOW_MS);
    } catch (error) {
      if (!(error instanceof SpawnError)) throw error;
      this.dispatch("spawn_failed", { failure: error.message });
      return;
    }
    const s = this.#snapshot;
    if (isRestart) s.restarts++;
    this.#spawns++;
    this.#child = child;
    s.pid = child.pid;
    s.pid_start_ticks = this.#hooks.startTicksOf(child.pid);
    s.started_at = this.#hooks.now();
    s.exit_code = null;
    s.exit_signal = null;
    this.#arm("uptime", this.spec.min_uptime_ms);
    child.status.then((exit) => this.#onChildExit(child, exit));
    this.#hooks.attachOutput(this, child);
  }

  /**
   * The leader exited. While stopping, the exit counts only once its whole group is gone
   * (grandchildren get until the kill timer, then SIGKILL), so `stop` never leaves one behind.
   * After a crash, leftovers get the stop signal, then SIGKILL after kill_timeout_ms.
   */
  #onChildExit(child: SpawnedChild, exit: ExitStatus): void {
    if (this.#child !== child) return;
    const seen = performance.now();
    try {
      this.#handleChildExit(child, exit);
    } finally {
      logIfSlow(`exit handling of instance ${this.id}`, seen, EXIT_SLOW_MS);
    }
  }

  #handleChildExit(child: SpawnedChild, exit: ExitStatus): void {
    if (!isGroupAlive(child.pid)) return this.dispatch("exit", { exit });
    if (this.state === "stopping") {
      const poll = setInterval(() => {
        if (this.#child !== child || this.state !== "stopping") return clearInterval(poll);
        if (isGroupAlive(child.pid)) return;
        clearInterval(poll);
        this.dispatch("exit", { exit });
      }, 25);
      return;
    }
    reapGroup(child.pid, this.spec.stop_signal, this.spec.kill_timeout_ms);
    this.dispatch("exit", { exit });
  }

  #arm(timer: "uptime" | "backoff" | "kill", ms: number): void {
    const event: EventType = timer === "uptime"
      ? "uptime_reached"
      : timer === "backoff"
      ? "backoff_elapsed"
      : "kill_timeout";
    const handle = setTimeout(() => {
      this.#timers.delete(handle);
      this.dispatch(event);
    }, ms);
    this.#timers.add(handle);
  }

  #record(
    fields: {
      event: EventType | "anomaly";
      from: State;
      reason: string | null;
      pid?: number | null;
      exit?: ExitStatus | null;
      uptime_ms?: number | null;
    },
  ): void {
    const record: TransitionRecord = {
      snapshot: this.snapshot(),
      app: this.spec.name,
      event: fields.event,
      from: fields.from,
      to: this.state,
      at: this.#hooks.now(),
      pid: fields.pid ?? this.pid,
      exit: fields.exit ?? null,
      uptime_ms: fields.uptime_ms ?? null,
      reason: fields.reason,
    };
    try {
      this.#hooks.persist(record);
    } catch (error) {
      this.#hooks.onPersistError(error, record);
    }
  }
}
