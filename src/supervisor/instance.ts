/**
 * One instance of an app: applies the transition table to it, one event at a time (a FIFO
 * queue, no await inside a transition), carries out the effects, and hands every transition to
 * the injected `persist`, which writes the instance row and an events row in one transaction.
 * A spawn also starts the readiness watch and its ready_timeout timer; every timer and probe
 * is cancelled when the state changes. During a reload the instance holds two children: the
 * previous one, still serving, and its replacement, which is current.
 *
 * Over 400 lines because it is the one executor of the table's effects; the probes, the
 * retiring of replaced children and the spawn itself live in their own files.
 */
import type { AppSpec, Desired, InstanceInfo, InstanceRuntime, State } from "../protocol/mod.ts";
import { logIfSlow } from "../logger.ts";
import { watchHealth } from "./health.ts";
import { type CommandKind, conflicts, Job, type JobView, verdict } from "./jobs.ts";
import type { ProcessPort, TimerPort } from "./ports.ts";
import { type ReadinessWatch, usesReadyFile, watchReadiness } from "./readiness.ts";
import { type ExitStatus, type SpawnedChild, SpawnError } from "./spawn.ts";
import type { EventType } from "./states.ts";
import { type DecisionContext, type Effect, next, type Outcome } from "./transitions.ts";

/** The persisted columns of an instance (the `instances` row less its fixed columns). */
export type InstanceSnapshot = InstanceRuntime;

/** A transition, as persisted and published. */
export interface TransitionRecord {
  snapshot: InstanceSnapshot;
  app: string;
  /** `reset`: the restart counters were zeroed by the user (no change of state). */
  event: EventType | "anomaly" | "reset";
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
  /** Spawning and signalling (the real OS in the daemon, a fake in the executor's tests). */
  processes: ProcessPort;
  timers: TimerPort;
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
  /** A fresh path under ADASA_HOME for a `notify` app's ADASA_READY_FILE. */
  readyFilePath(instance: Instance): string;
}

/** Readiness and liveness as `list` shows them. */
export type ProbeStatus = Pick<InstanceInfo, "ready" | "health" | "health_failures" | "last_probe">;

/** The child a reload keeps serving until its replacement is ready. */
interface PreviousChild {
  child: SpawnedChild;
  pid_start_ticks: number | null;
  started_at: number | null;
}

/** Thresholds of the `adasa.perf` log (ADASA_PERF=1). */
const SPAWN_SLOW_MS = 200;
const EXIT_SLOW_MS = 50;

type QueuedEvent = {
  type: EventType;
  extra: Partial<DecisionContext>;
  /** Set by a user command: `desired` changes in the same transaction as its transition. */
  desired?: Desired;
  /** Why, when the command's cell has no reason of its own (e.g. the daemon resuming). */
  reason?: string;
};

/** Options of a user command. */
export interface CommandOptions {
  /** `stop --force`: SIGKILL at once. */
  force?: boolean;
  /** Recorded on the command's transition when its cell gives no reason. */
  reason?: string;
}

/** One supervised instance. */
export class Instance {
  readonly id: number;
  readonly appIndex: number;
  readonly #hooks: InstanceHooks;
  #getSpec: () => AppSpec;
  #snapshot: InstanceSnapshot;
  #child: SpawnedChild | null = null;
  #timers = new Set<unknown>();
  #queue: QueuedEvent[] = [];
  #draining = false;
  #spawns = 0;
  #jobs: Job[] = [];
  #closing = false;
  #waiters = new Set<() => void>();
  /** Probes running for the current state; disposed with the timers. */
  #watches = new Set<{ dispose(): void }>();
  #readiness: { watch: ReadinessWatch; pid: number } | null = null;
  #readyFile: string | null = null;
  #previous: PreviousChild | null = null;
  #retiring = new Set<Promise<void>>();
  #retiringPids = new Set<number>();
  #startFailure: string | null = null;
  #probe: ProbeStatus = { ready: null, health: null, health_failures: 0, last_probe: null };

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
  /** Readiness and liveness of the current process. */
  probeStatus(): ProbeStatus {
    return { ...this.#probe };
  }

  /**
   * A user command: becomes a job settled by the table (done, failed, or superseded by a later
   * conflicting command) and an event of the table. `desired` follows the command (up, or
   * down for a stop) in the transaction of its first transition.
   */
  command(kind: CommandKind, options: CommandOptions = {}): Job {
    const job = new Job(kind, this.#spawns);
    for (const pending of this.#jobs) {
      if (conflicts(pending.kind, kind)) pending.settle({ status: "superseded", by: kind });
    }
    this.#jobs = this.#jobs.filter((j) => !j.settled);
    this.#jobs.push(job);
    const extra: Partial<DecisionContext> = kind === "stop" && options.force
      ? { stopSignal: "SIGKILL" }
      : {};
    this.#enqueue({
      type: kind,
      extra,
      desired: kind === "stop" ? "down" : "up",
      ...(options.reason ? { reason: options.reason } : {}),
    });
    return job;
  }

  /** The daemon stops: every pending job is superseded, and `desired` is left as it is. */
  shutdown(): void {
    this.#closing = true;
    for (const job of this.#jobs) job.settle({ status: "superseded", by: "daemon shutdown" });
    this.#jobs = [];
    this.dispatch("shutdown");
  }

  /** Jobs not settled yet (for tests and `describe`). */
  get pendingJobs(): readonly CommandKind[] {
    return this.#jobs.map((j) => j.kind);
  }

  /**
   * A line of the current process's output, for log_line readiness. Returns whether lines are
   * still wanted from that pid, so the caller can stop decoding them.
   */
  noteOutputLine(pid: number, line: string): boolean {
    const readiness = this.#readiness;
    if (!readiness || readiness.pid !== pid || !readiness.watch.wantsLines) return false;
    readiness.watch.noteLine(line);
    return readiness.watch.wantsLines;
  }

  /** Resolves once every replaced process group is gone. */
  async retired(): Promise<void> {
    while (this.#retiring.size) await Promise.all([...this.#retiring]);
  }

  /** Queues an event; events are handled one at a time, in order. */
  dispatch(type: EventType, extra: Partial<DecisionContext> = {}): void {
    this.#enqueue({ type, extra });
  }

  #enqueue(item: QueuedEvent): void {
    this.#queue.push(item);
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
    this.#hooks.processes.signalGroup(pid, signal);
    return true;
  }

  /** Zeroes the restart counters (pm2's `reset`) and records it; the state is left alone. */
  resetCounters(): void {
    this.#snapshot.restarts = 0;
    this.#snapshot.unstable_restarts = 0;
    this.#record({ event: "reset", from: this.state, reason: "restart counters reset" });
  }

  /** Cancels timers and probes; used on every state change and at daemon shutdown. */
  dispose(): void {
    for (const timer of this.#timers) this.#hooks.timers.clear(timer);
    this.#timers.clear();
    for (const watch of this.#watches) watch.dispose();
    this.#watches.clear();
    this.#readiness = null;
    this.#removeReadyFile();
  }

  #handle(item: QueuedEvent): void {
    const from = this.state;
    const desiredChanged = item.desired !== undefined && item.desired !== this.desired;
    if (item.desired !== undefined) this.#snapshot.desired = item.desired;
    const ctx: DecisionContext = {
      desired: this.desired,
      spec: this.spec,
      unstableRestarts: this.#snapshot.unstable_restarts,
      startFailure: this.#startFailure,
      previousAlive: this.#previous !== null,
      closing: this.#closing,
      ...item.extra,
    };
    const outcome = next(from, item.type, ctx);
    if (outcome === "ignore") {
      // The cell changes nothing, but the command's new `desired` is stored all the same.
      if (desiredChanged) this.#record({ event: item.type, from, reason: item.reason ?? null });
      // A command whose goal already holds (a start of an online instance) is done at once.
      return this.#settleJobs(this.#view(false));
    }
    if (outcome === "anomaly") {
      this.#record({ event: "anomaly", from, reason: `unexpected ${item.type} in ${from}` });
      return this.#settleJobs(this.#view(false));
    }
    this.#apply(item, outcome);
  }

  #apply(item: QueuedEvent, outcome: Outcome): void {
    const from = this.state;
    const exited = item.type === "exit" ? this.#noteExit(item.extra.exit ?? null) : null;
    if (outcome.to !== from) this.dispose();
    this.#snapshot.state = outcome.to;
    this.#probe.ready = readyOf(outcome.to, item.type, this.#probe.ready);
    if (outcome.to !== "online") this.#probe = { ...this.#probe, health: null, health_failures: 0 };
    const reason = outcome.reason ?? item.reason;
    // A reason is shown only while it explains the current state (#13).
    if (reason !== undefined) this.#snapshot.reason = reason;
    else if (outcome.to !== from) this.#snapshot.reason = null;
    for (const effect of outcome.effects) this.#run(effect, item.type);
    this.#record({
      event: item.type,
      from,
      reason: reason ?? null,
      pid: exited?.pid ?? this.pid,
      exit: item.extra.exit ?? null,
      uptime_ms: exited?.uptime_ms ?? null,
    });
    this.#settleJobs(this.#view(item.type === "spawn_failed", outcome));
  }

  #view(spawnFailed: boolean, outcome?: Outcome): JobView {
    return {
      to: this.state,
      effects: outcome?.effects ?? [],
      reason: this.#snapshot.reason,
      spawns: this.#spawns,
      spawnFailed,
    };
  }

  #settleJobs(view: JobView): void {
    // An event queued by this transition (a spawn that failed) decides first.
    if (this.#jobs.length === 0 || this.#queue.length > 0) return;
    for (const job of this.#jobs) {
      const outcome = verdict(job.kind, job.spawnsBefore, view);
      if (outcome) job.settle(outcome);
    }
    this.#jobs = this.#jobs.filter((j) => !j.settled);
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
        // A user's start (or the daemon resuming) is not a restart; a crash, a backoff or a
        // restart command is.
        return this.#spawn(cause !== "start");
      case "signal_group":
        if (this.#child) this.#hooks.processes.signalGroup(this.#child.pid, effect.signal);
        return;
      case "arm_timer":
        return this.#arm(effect.timer, effect.ms);
      case "count_unstable":
        this.#snapshot.unstable_restarts++;
        return;
      case "reset_unstable":
        this.#snapshot.unstable_restarts = 0;
        return;
      case "watch_health":
        return this.#watchHealth();
      case "note_start_failure":
        this.#startFailure = effect.reason;
        return;
      case "spawn_replacement":
        return this.#spawnReplacement();
      case "retire_previous":
        return this.#retirePrevious();
      case "restore_previous":
        return this.#restorePrevious();
    }
  }

  #spawn(isRestart: boolean): void {
    const child = this.#startChild();
    if (!child) return;
    if (isRestart) this.#snapshot.restarts++;
  }

  /** Spawns the current child and starts watching its readiness; null when spawning failed. */
  #startChild(): SpawnedChild | null {
    let child: SpawnedChild;
    const started = performance.now();
    const env = this.#hooks.environment(this);
    this.#startFailure = null;
    if (usesReadyFile(this.spec.readiness)) {
      this.#readyFile = this.#hooks.readyFilePath(this);
      env.ADASA_READY_FILE = this.#readyFile;
    }
    try {
      child = this.#hooks.processes.spawn(this.spec, env);
      logIfSlow(`spawn of instance ${this.id}`, started, SPAWN_SLOW_MS);
    } catch (error) {
      if (!(error instanceof SpawnError)) throw error;
      this.dispatch("spawn_failed", { failure: error.message });
      return null;
    }
    const s = this.#snapshot;
    this.#spawns++;
    this.#child = child;
    s.pid = child.pid;
    s.pid_start_ticks = this.#hooks.startTicksOf(child.pid);
    s.started_at = this.#hooks.now();
    // exit_code, exit_signal and exited_at stay those of the last exit, as its event says.
    this.#watchReadiness(child, env);
    child.status.then((exit) => this.#onChildExit(child, exit));
    try {
      this.#hooks.attachOutput(this, child);
    } catch (error) {
      // A child whose output nobody reads blocks in write(2): never leave one running (#13).
      this.#child = null;
      s.pid = null;
      s.pid_start_ticks = null;
      this.#hooks.processes.signalGroup(child.pid, "SIGKILL");
      this.dispatch("spawn_failed", { failure: `cannot capture output: ${String(error)}` });
      return null;
    }
    return child;
  }

  #watchReadiness(child: SpawnedChild, env: Record<string, string>): void {
    const spec = this.spec;
    this.#probe = { ...this.#probe, ready: "pending", last_probe: null };
    if (spec.readiness.kind === "uptime") {
      // On the instance's own timers, so the executor's tests control min_uptime too.
      this.#readiness = null;
      const ms = spec.min_uptime_ms;
      return this.#arm("uptime", ms, () => {
        if (this.#child !== child) return;
        this.#probe.last_probe = `up for ${ms} ms`;
        this.dispatch("ready");
      });
    }
    const watch = watchReadiness(spec.readiness, {
      minUptimeMs: spec.min_uptime_ms,
      target: { cwd: spec.cwd, env },
      readyFile: this.#readyFile,
    }, {
      ready: (detail) => {
        if (this.#child !== child) return;
        this.#probe.last_probe = detail;
        this.dispatch("ready");
      },
      notYet: (detail) => {
        if (this.#child === child) this.#probe.last_probe = detail;
      },
    });
    this.#watches.add(watch);
    this.#readiness = { watch, pid: child.pid };
    this.#arm("ready_timeout", spec.ready_timeout_ms);
  }

  #watchHealth(): void {
    const liveness = this.spec.liveness;
    const child = this.#child;
    if (!liveness || !child) return;
    this.#probe = { ...this.#probe, health: "unknown", health_failures: 0 };
    const watch = watchHealth(
      liveness,
      { cwd: this.spec.cwd, env: this.#hooks.environment(this) },
      {
        probed: (result, failures) => {
          if (this.#child !== child || this.state !== "online") return;
          this.#probe.health = result.ok ? "healthy" : "failing";
          this.#probe.health_failures = failures;
          this.#probe.last_probe = result.detail;
        },
        unhealthy: (detail) => {
          if (this.#child === child) this.dispatch("unhealthy", { failure: detail });
        },
      },
    );
    this.#watches.add(watch);
  }

  #spawnReplacement(): void {
    const old = this.#child;
    if (!old) return this.#spawn(true);
    const s = this.#snapshot;
    this.#previous = { child: old, pid_start_ticks: s.pid_start_ticks, started_at: s.started_at };
    if (this.#startChild()) s.restarts++;
  }

  #retirePrevious(): void {
    const previous = this.#previous;
    this.#previous = null;
    if (previous) this.#retire(previous.child);
  }

  /** The replacement failed: stop it if it runs, and serve with the previous child again. */
  #restorePrevious(): void {
    const previous = this.#previous;
    this.#previous = null;
    if (!previous) return;
    if (this.#child) this.#retire(this.#child);
    const s = this.#snapshot;
    this.#child = previous.child;
    s.pid = previous.child.pid;
    s.pid_start_ticks = previous.pid_start_ticks;
    s.started_at = previous.started_at;
    this.#probe.ready = "ready";
  }

  #retire(child: SpawnedChild): void {
    this.#retiringPids.add(child.pid);
    const done = this.#hooks.processes
      .retire(child, this.spec.stop_signal, this.spec.kill_timeout_ms)
      .finally(() => {
        this.#retiring.delete(done);
        this.#retiringPids.delete(child.pid);
      });
    this.#retiring.add(done);
  }

  /** Pids of the children the runtime spawned for this instance and still waits for. */
  childPids(): number[] {
    const pids = [...this.#retiringPids];
    if (this.#child) pids.push(this.#child.pid);
    if (this.#previous) pids.push(this.#previous.child.pid);
    return pids;
  }

  #removeReadyFile(): void {
    if (this.#readyFile === null) return;
    try {
      Deno.removeSync(this.#readyFile);
    } catch {
      // never written
    }
    this.#readyFile = null;
  }

  /**
   * The leader exited. While stopping, the exit counts only once its whole group is gone
   * (grandchildren get until the kill timer, then SIGKILL), so `stop` never leaves one behind.
   * After a crash, leftovers get the stop signal, then SIGKILL after kill_timeout_ms.
   */
  #onChildExit(child: SpawnedChild, exit: ExitStatus): void {
    if (this.#previous?.child === child) {
      // The old process of a reload died before its replacement was ready: nothing to keep.
      this.#previous = null;
      this.#hooks.processes.reap(child.pid, this.spec.stop_signal, this.spec.kill_timeout_ms);
      return;
    }
    if (this.#child !== child) return;
    const seen = performance.now();
    try {
      this.#handleChildExit(child, exit);
    } finally {
      logIfSlow(`exit handling of instance ${this.id}`, seen, EXIT_SLOW_MS);
    }
  }

  #handleChildExit(child: SpawnedChild, exit: ExitStatus): void {
    const processes = this.#hooks.processes;
    if (!processes.groupAlive(child.pid)) return this.dispatch("exit", { exit });
    if (this.state === "stopping") {
      const poll = () => {
        if (this.#child !== child || this.state !== "stopping") return;
        if (processes.groupAlive(child.pid)) return void this.#hooks.timers.set(poll, 25);
        this.dispatch("exit", { exit });
      };
      this.#hooks.timers.set(poll, 25);
      return;
    }
    processes.reap(child.pid, this.spec.stop_signal, this.spec.kill_timeout_ms);
    this.dispatch("exit", { exit });
  }

  #arm(
    timer: "ready_timeout" | "backoff" | "kill" | "uptime",
    ms: number,
    fire?: () => void,
  ): void {
    const event: EventType = timer === "ready_timeout"
      ? "ready_timeout"
      : timer === "backoff"
      ? "backoff_elapsed"
      : "kill_timeout";
    const handle = this.#hooks.timers.set(() => {
      this.#timers.delete(handle);
      if (fire) return fire();
      const failure = this.#probe.last_probe;
      this.dispatch(event, failure === null ? {} : { failure });
    }, ms);
    this.#timers.add(handle);
  }

  #record(
    fields: {
      event: TransitionRecord["event"];
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

/** Readiness after a transition: pending while a new process starts, failed after ready_timeout. */
function readyOf(
  to: State,
  event: EventType,
  before: ProbeStatus["ready"],
): ProbeStatus["ready"] {
  if (to === "online" || to === "reloading") return "ready";
  if (to === "launching") return "pending";
  if (event === "ready_timeout") return "failed";
  if (to === "stopping") return before;
  return null;
}
