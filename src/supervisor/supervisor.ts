/**
 * The set of apps and their instances: resolves targets, and turns user commands into jobs on
 * instances (jobs.ts), answering with their typed outcomes (a stop once the group is gone, a
 * restart once the new child runs, superseded when a later command changes the goal).
 * Compound commands on one app (delete, scale, reload) run one at a time, in order; single
 * commands go straight to the table, where a later one supersedes a conflicting earlier one.
 *
 * Over 400 lines because it is the one place commands meet the registry; waiting for jobs,
 * the start order and the instances themselves live in their own files.
 */
import { AdasaError, type AppSpec, type InstanceInfo } from "../protocol/mod.ts";
import { dependencyLevels } from "../model/dependencies.ts";
import { awaitJobs, unlessCancelled, type WaitOptions } from "./await_jobs.ts";
import {
  type CommandOptions,
  Instance,
  type InstanceHooks,
  type InstanceSnapshot,
  type TransitionRecord,
} from "./instance.ts";
import { instanceEnvironment } from "./instance_env.ts";
import type { CommandKind } from "./jobs.ts";
import { NodeRuntime } from "./node/runtime.ts";
import { type ProcessPort, REAL_PROCESSES, REAL_TIMERS, type TimerPort } from "./ports.ts";
import type { RegistryPort } from "./registry_port.ts";
import { type SpawnedChild, SpawnError } from "./spawn.ts";
import { ALIVE_STATES, DOWN_STATES, SIGNALLABLE_STATES } from "./states.ts";
import { startInOrder, type StartItem, type StartOutcome } from "./start_order.ts";

/** An app and its instances, in index order. */
export interface AppEntry {
  id: number;
  spec: AppSpec;
  instances: Instance[];
  /** Why the stored definition cannot be run (the app stays errored until deleted). */
  invalid?: string;
}

export interface SupervisorDeps {
  registry: RegistryPort;
  now(): number;
  attachOutput(instance: Instance, child: SpawnedChild): void;
  startTicksOf(pid: number): number | null;
  onPersistError(error: unknown): void;
  /**
   * Variables set in every child, so a daemon started after a crash can find the processes
   * of the previous generation even if it died between a spawn and the write of its pid.
   */
  childTag: Record<string, string>;
  /** Folder (under ADASA_HOME) for the ready files of `notify` apps. */
  readyDir: string;
  /** Folder (under ADASA_HOME) of the Node runtime's files and cluster sockets. */
  nodeDir: string;
  /** Spawning and signalling; the real OS by default. */
  processes?: ProcessPort;
  timers?: TimerPort;
  /** Called after apps were created, changed or deleted (cron and watch follow). */
  onAppsChanged?(): void;
  /** Called with every transition, stored or not (the fleet counters of /metrics). */
  onTransition?(record: TransitionRecord): void;
  /**
   * Called once instances were removed (delete, scale down, a pruning reload), with the
   * apps deleted with them, so what others keep per instance or app can be dropped.
   */
  onRemoved?(removed: { instanceIds: number[]; apps: string[] }): void;
}

/** Options of a command: its request's cancellation, and a reason for its events. */
export type RunOptions = WaitOptions & { reason?: string };

/** The daemon's process table. */
export class Supervisor {
  readonly #deps: SupervisorDeps;
  readonly #apps = new Map<string, AppEntry>();
  readonly #byId = new Map<number, { app: AppEntry; instance: Instance }>();
  readonly #appLocks = new Map<string, Promise<unknown>>();
  readonly #hooks: InstanceHooks;
  readonly #node: NodeRuntime;
  #closing = false;

  constructor(deps: SupervisorDeps) {
    this.#deps = deps;
    this.#node = new NodeRuntime({
      dir: deps.nodeDir,
      tag: deps.childTag,
      wanted: (appId) =>
        [...this.#apps.values()].some((app) =>
          app.id === appId && app.instances.some((i) => ALIVE_STATES.has(i.state))
        ),
    });
    this.#hooks = {
      now: deps.now,
      processes: deps.processes ?? REAL_PROCESSES,
      timers: deps.timers ?? REAL_TIMERS,
      persist: (record) => {
        try {
          deps.registry.recordTransition(record);
        } finally {
          deps.onTransition?.(record); // the exit happened even when its row could not be written
        }
      },
      environment: (instance) => this.#environment(instance),
      attachOutput: deps.attachOutput,
      startTicksOf: deps.startTicksOf,
      onPersistError: (error) => deps.onPersistError(error),
      readyFilePath: (instance) => {
        Deno.mkdirSync(deps.readyDir, { recursive: true, mode: 0o700 });
        return `${deps.readyDir}/${instance.id}-${crypto.randomUUID().slice(0, 8)}`;
      },
    };
  }

  /** Loads the registry as stored, without starting anything. */
  load(
    apps: Array<{ id: number; spec: AppSpec; invalid?: string }>,
    instances: Array<InstanceSnapshot & { app_id: number; instance: number }>,
  ): void {
    const byAppId = new Map<number, AppEntry>();
    for (const app of apps) {
      const entry: AppEntry = { id: app.id, spec: app.spec, instances: [] };
      if (app.invalid) entry.invalid = app.invalid;
      this.#apps.set(app.spec.name, entry);
      byAppId.set(app.id, entry);
    }
    for (const row of instances) {
      const entry = byAppId.get(row.app_id);
      if (!entry) continue;
      this.#addInstance(entry, { ...row }, row.instance);
    }
  }

  /** Every app, in creation order. */
  apps(): AppEntry[] {
    return [...this.#apps.values()];
  }

  /** The instance with this id, if any. */
  instance(id: number): Instance | undefined {
    return this.#byId.get(id)?.instance;
  }

  /**
   * Creates an app and starts its instances. A program that cannot be spawned refuses the
   * command before anything is stored; a start that fails at once takes the app away again,
   * so every error leaves the registry as it was.
   *
   * @throws {AdasaError} ALREADY_EXISTS when the name is taken, SPAWN_FAILED naming what is
   * missing
   */
  async create(spec: AppSpec, options: RunOptions & { start?: boolean } = {}): Promise<Instance[]> {
    this.#assertOpen();
    if (this.#apps.has(spec.name)) {
      throw new AdasaError(
        "ALREADY_EXISTS",
        `App "${spec.name}" already exists; use "adasa restart ${spec.name}" or another --name`,
      );
    }
    const start = options.start ?? true;
    if (start) this.#preflight(spec);
    // The creation is the user's command: its rows are written wanting what it asks for.
    const desired = start ? "up" as const : "down" as const;
    const rows = Array.from({ length: spec.instances }, (_, i) => ({
      instance: i,
      state: "stopped" as const,
      desired,
    }));
    const created = this.#deps.registry.createApp(spec, rows, this.#deps.now());
    const entry: AppEntry = { id: created.appId, spec, instances: [] };
    this.#apps.set(spec.name, entry);
    created.instanceIds.forEach((id, i) => this.#addInstance(entry, blankSnapshot(id, desired), i));
    this.#changed();
    if (!start) return entry.instances;
    try {
      await this.start(entry.instances, options);
    } catch (error) {
      if (error instanceof AdasaError && error.code === "SPAWN_FAILED") this.#forget(entry);
      throw error;
    }
    return entry.instances;
  }

  /** Refuses a spec whose program, script or cwd is missing, before anything is stored. */
  #preflight(spec: AppSpec): void {
    try {
      this.#hooks.processes.check(spec, { ...spec.base_env, ...spec.env });
    } catch (error) {
      if (!(error instanceof SpawnError)) throw error;
      throw new AdasaError("SPAWN_FAILED", `Cannot start "${spec.name}": ${error.message}`);
    }
  }

  /** Removes an app that never ran (its first start failed to spawn). */
  #forget(app: AppEntry): void {
    try {
      this.#deps.registry.deleteApp(app.id);
    } catch (error) {
      this.#deps.onPersistError(error);
    }
    this.#apps.delete(app.spec.name);
    for (const i of app.instances) {
      i.dispose();
      this.#byId.delete(i.id);
    }
    this.#changed();
  }

  /**
   * Resolves targets (ids, app names, or `all`) to instances, in id order, without duplicates.
   *
   * @throws {AdasaError} NOT_FOUND naming the first unknown target
   */
  resolve(targets: readonly string[]): Instance[] {
    if (targets.length === 0) {
      throw new AdasaError("INVALID_ARGUMENT", "No target given: name an id, an app or all");
    }
    const found = new Map<number, Instance>();
    for (const target of targets) {
      for (const instance of this.#resolveOne(target)) found.set(instance.id, instance);
    }
    return [...found.values()].sort((a, b) => a.id - b.id);
  }

  #resolveOne(target: string): Instance[] {
    if (target === "all") return [...this.#byId.values()].map((e) => e.instance);
    if (/^\d+$/.test(target)) {
      const hit = this.#byId.get(Number(target));
      if (hit) return [hit.instance];
      throw new AdasaError("NOT_FOUND", `No instance with id ${target}`);
    }
    const app = this.#apps.get(target);
    if (app) return [...app.instances];
    throw new AdasaError("NOT_FOUND", `No app or id "${target}"`);
  }

  /**
   * Starts instances; resolves when each runs.
   *
   * @throws {AdasaError} SPAWN_FAILED or START_FAILED, SUPERSEDED by a later stop
   */
  async start(instances: Instance[], options: RunOptions = {}): Promise<void> {
    await this.#run(instances, "start", options);
  }

  /**
   * Stops instances; resolves when every process group is gone. Apps that depend on others
   * among them stop first (the reverse of the start order); independent ones in parallel.
   *
   * @throws {AdasaError} SUPERSEDED when a later start or restart overtakes it
   */
  async stop(instances: Instance[], options: RunOptions & { force?: boolean } = {}): Promise<void> {
    for (const level of this.#reverseLevels(instances)) {
      await this.#run(level, "stop", options);
      await Promise.all(level.map((i) => i.retired()));
      await Promise.all(level.map((i) => this.#stopEscapees(i)));
    }
  }

  /**
   * Stops the descendants of an instance that left its process group, and names them in an
   * `escaped` event; those it cannot signal are named in a warning event, never silenced.
   */
  async #stopEscapees(instance: Instance): Promise<void> {
    if (Object.keys(this.#deps.childTag).length === 0) return;
    const marks = { ADASA_ID: String(instance.id), ...this.#deps.childTag };
    const spec = instance.spec;
    const report = await this.#hooks.processes.stopEscaped(
      marks,
      spec.stop_signal,
      spec.kill_timeout_ms,
    );
    const hit = this.#byId.get(instance.id);
    if (!hit) return;
    if (report.stopped.length) {
      const named = report.stopped.map((p) => `${p.pid} (${p.name})`).join(", ");
      this.#event(
        hit.app,
        instance.id,
        "escaped",
        `stopped descendants that left the group: ${named}`,
      );
    }
    if (report.failed.length) {
      this.#event(
        hit.app,
        instance.id,
        "escaped",
        `could not stop descendants that left the group: pids ${report.failed.join(", ")}`,
      );
    }
  }

  /** Pids of every child the runtime spawned and still waits for (current, replaced). */
  *childPids(): Generator<number> {
    for (const { instance } of this.#byId.values()) yield* instance.childPids();
  }

  /** Issues one command to each instance and waits for every outcome. */
  async #run(
    instances: Instance[],
    kind: CommandKind,
    options: RunOptions & CommandOptions,
  ): Promise<void> {
    this.#assertOpen();
    if (kind !== "stop") {
      const bad = this.#appsOf(instances).find((app) => app.invalid);
      if (bad) {
        throw new AdasaError(
          "INVALID_ARGUMENT",
          `Cannot ${kind} "${bad.spec.name}": its ${bad.invalid}; delete it and start it again`,
        );
      }
    }
    const command: CommandOptions = {};
    if (options.force) command.force = true;
    if (options.reason) command.reason = options.reason;
    const jobs = instances.map((i) => [i, i.command(kind, command)] as const);
    await awaitJobs(jobs, options);
  }

  #assertOpen(): void {
    if (this.#closing) throw new AdasaError("UNAVAILABLE", "The daemon is stopping");
  }

  /** Instances grouped by app, in reverse dependency order. */
  #reverseLevels(instances: Instance[]): Instance[][] {
    const apps = this.#appsOf(instances).map((app) => ({
      name: app.spec.name,
      depends_on: app.spec.depends_on ?? {},
      app,
    }));
    // One set per level, not a scan of the level per instance: `stop all` of 1,000 apps (#17).
    return dependencyLevels(apps).reverse().map((level) => {
      const members = new Set(level.flatMap((entry) => entry.app.instances));
      return instances.filter((i) => members.has(i));
    }).filter((level) => level.length > 0);
  }

  /**
   * Starts apps in dependency order, each once its dependencies meet their condition, and
   * waits for each to be ready (or completed, or failed), or with `settle: "started"` only
   * until its processes were spawned.
   */
  startInOrder(
    items: readonly StartItem<AppEntry>[],
    settle: "ready" | "started" = "ready",
  ): Promise<StartOutcome[]> {
    return startInOrder(items, (name) => this.#apps.get(name), settle);
  }

  /**
   * Starts instances after the apps they depend on (which are started too, if needed), and
   * waits for each to be ready.
   *
   * @throws {AdasaError} NOT_FOUND when a dependency is not defined
   */
  async startWithDependencies(
    instances: Instance[],
    options: RunOptions = {},
  ): Promise<StartOutcome[]> {
    const targets = this.#appsOf(instances);
    const needed = new Map<string, AppEntry>();
    const visit = (app: AppEntry) => {
      if (needed.has(app.spec.name)) return;
      needed.set(app.spec.name, app);
      for (const dep of Object.keys(app.spec.depends_on ?? {})) {
        const found = this.#apps.get(dep);
        if (!found) {
          throw new AdasaError(
            "NOT_FOUND",
            `Cannot start "${app.spec.name}": it depends on "${dep}", which is not defined`,
          );
        }
        visit(found);
      }
    };
    targets.forEach(visit);
    // A closed connection frees this wait; the starts go on.
    return await unlessCancelled(
      this.#startNeeded(needed, targets, instances, options),
      options.signal,
    );
  }

  #startNeeded(
    needed: Map<string, AppEntry>,
    targets: AppEntry[],
    instances: Instance[],
    options: RunOptions,
  ): Promise<StartOutcome[]> {
    return this.startInOrder([...needed.values()].map((app) => ({
      name: app.spec.name,
      depends_on: app.spec.depends_on ?? {},
      start: async () => {
        const chosen = targets.includes(app)
          ? instances.filter((i) => app.instances.includes(i))
          : app.instances;
        await this.start(chosen, options.reason ? { reason: options.reason } : {});
        return app;
      },
    })));
  }

  /**
   * Restarts instances in parallel, each as one event of the table (its stop's exit starts it
   * again); `baseEnv` replaces the apps' environment (--update-env).
   *
   * @throws {AdasaError} SUPERSEDED by a later stop, SPAWN_FAILED or START_FAILED
   */
  async restart(
    instances: Instance[],
    options: RunOptions & { baseEnv?: Record<string, string> } = {},
  ): Promise<void> {
    this.#assertOpen();
    if (options.baseEnv) this.#updateBaseEnv(instances, options.baseEnv);
    await this.#run(instances, "restart", options);
  }

  /**
   * Replaces one instance at a time: an online instance keeps its old process until the new one
   * is ready, so the app never stops answering; others are started and waited for until
   * ready. Stops at the first replacement that fails, leaving the rest on their old processes.
   * Reloads of one app run one at a time, in order.
   *
   * @throws {AdasaError} RELOAD_FAILED naming the instance whose new process failed;
   * SUPERSEDED by a later stop
   */
  async reload(
    instances: Instance[],
    options: RunOptions & { baseEnv?: Record<string, string> } = {},
  ): Promise<void> {
    this.#assertOpen();
    await this.#withAppLocks(this.#appsOf(instances), async () => {
      if (options.baseEnv) this.#updateBaseEnv(instances, options.baseEnv);
      for (const instance of instances) await this.#run([instance], "reload", options);
    });
  }

  #updateBaseEnv(instances: Instance[], baseEnv: Record<string, string>): void {
    for (const app of this.#appsOf(instances)) {
      const spec = { ...app.spec, base_env: { ...baseEnv } };
      this.#deps.registry.updateApp(app.id, spec, this.#deps.now());
      app.spec = spec;
    }
  }

  /**
   * Replaces an app's definition; running instances pick it up at their next (re)start.
   *
   * @throws {AdasaError} NOT_FOUND for an unknown app
   */
  updateSpec(name: string, spec: AppSpec): void {
    const app = this.#apps.get(name);
    if (!app) throw new AdasaError("NOT_FOUND", `No app "${name}"`);
    this.#deps.registry.updateApp(app.id, spec, this.#deps.now());
    app.spec = spec;
    this.#event(app, null, "updated", null);
    this.#changed();
  }

  /**
   * Stops then removes instances; an app left without instances is deleted. A start that
   * overtakes the stop cancels the delete (SUPERSEDED) and nothing is removed.
   */
  async delete(instances: Instance[], options: RunOptions = {}): Promise<string[]> {
    this.#assertOpen();
    return await this.#withAppLocks(
      this.#appsOf(instances),
      () => this.#remove(instances, options),
    );
  }

  async #remove(instances: Instance[], options: RunOptions): Promise<string[]> {
    await this.stop(instances, options);
    const deleted: string[] = [];
    const removedIds: number[] = [];
    for (const app of this.#appsOf(instances)) {
      const doomed = new Set(instances.filter((i) => app.instances.includes(i)));
      const keep = app.instances.filter((i) => !doomed.has(i));
      if (keep.length === 0) {
        this.#deps.registry.deleteApp(app.id);
        this.#apps.delete(app.spec.name);
        deleted.push(app.spec.name);
        this.#event(app, null, "deleted", null);
      } else {
        this.#deps.registry.removeInstances([...doomed].map((i) => i.id));
        app.instances = keep;
        for (const i of doomed) this.#event(app, i.id, "deleted", null);
      }
      for (const i of doomed) {
        i.dispose();
        this.#byId.delete(i.id);
        removedIds.push(i.id);
      }
    }
    this.#changed();
    if (removedIds.length) this.#deps.onRemoved?.({ instanceIds: removedIds, apps: deleted });
    return deleted;
  }

  /** Sets an app's instance count: new instances start, the highest indexes are removed. */
  async scale(name: string, count: number, options: RunOptions = {}): Promise<void> {
    this.#assertOpen();
    const app = this.#apps.get(name);
    if (!app) throw new AdasaError("NOT_FOUND", `No app "${name}"`);
    await this.#withAppLocks([app], async () => {
      const current = app.instances.length;
      if (count < current) {
        await this.#remove(app.instances.slice(count), options);
      } else if (count > current) {
        const used = new Set(app.instances.map((i) => i.appIndex));
        const indexes: number[] = [];
        for (let i = 0; indexes.length < count - current; i++) if (!used.has(i)) indexes.push(i);
        const rows = indexes.map((instance) => ({
          instance,
          state: "stopped" as const,
          desired: "up" as const,
        }));
        const ids = this.#deps.registry.addInstances(app.id, rows, this.#deps.now());
        const added = ids.map((id, k) =>
          this.#addInstance(app, blankSnapshot(id, "up"), indexes[k]!)
        );
        await this.start(added, options);
      }
      const spec = { ...app.spec, instances: count };
      this.#deps.registry.updateApp(app.id, spec, this.#deps.now());
      app.spec = spec;
      this.#event(app, null, "scaled", `instances: ${current} -> ${count}`);
    });
  }

  /**
   * Sends a signal to the running instances' process groups.
   *
   * @throws {AdasaError} INVALID_ARGUMENT when none of them runs
   */
  signal(instances: Instance[], signal: string): number[] {
    const running = instances.filter((i) => SIGNALLABLE_STATES.has(i.state));
    if (running.length === 0) {
      throw new AdasaError("INVALID_ARGUMENT", "None of the targets is running");
    }
    for (const instance of running) instance.signal(signal);
    return running.map((i) => i.id);
  }

  /** Zeroes the restart counters of instances; returns their ids. */
  reset(instances: Instance[]): number[] {
    for (const instance of instances) instance.resetCounters();
    return instances.map((i) => i.id);
  }

  /**
   * Starts every stopped instance whose desired state is up (after a daemon start), in
   * dependency order, with `reason` on their events. Instances that ended (`exited`,
   * `errored`) stay as they are: restore decides whether a reboot makes them startable.
   */
  async resume(reason: string): Promise<void> {
    const wanted = [...this.#byId.values()].map((e) => e.instance).filter((i) =>
      i.desired === "up" && i.state === "stopped"
    );
    if (wanted.length === 0) return;
    const apps = this.#appsOf(wanted);
    const items = apps.map((app) => ({
      name: app.spec.name,
      depends_on: Object.fromEntries(
        Object.entries(app.spec.depends_on ?? {}).filter(([dep]) =>
          apps.some((a) => a.spec.name === dep)
        ),
      ),
      start: async () => {
        await this.start(wanted.filter((i) => app.instances.includes(i)), { reason });
        return app;
      },
    }));
    // Dependents start in the background as their dependencies become ready; the daemon
    // answers (and handles signals) meanwhile.
    void this.startInOrder(items).catch(() => {});
    const independent = items.filter((item) => Object.keys(item.depends_on).length === 0);
    await Promise.allSettled(independent.map((item) => item.start()));
  }

  /**
   * Stops every child for a daemon shutdown: a `shutdown` event on each instance (pending
   * jobs are superseded), dependents first; `desired` is never touched, so the next daemon
   * brings back what the user wanted, whenever this one is killed.
   */
  async shutdown(): Promise<void> {
    this.#closing = true;
    const all = [...this.#byId.values()].map((e) => e.instance);
    const alive = all.filter((i) => ALIVE_STATES.has(i.state) || i.state === "waiting");
    for (const level of this.#reverseLevels(alive)) {
      for (const instance of level) instance.shutdown();
      await Promise.all(level.map((i) => i.waitUntil((x) => DOWN_STATES.has(x.state))));
    }
    for (const instance of all) if (!alive.includes(instance)) instance.shutdown();
    await Promise.all(all.map((i) => i.retired()));
    await Promise.all(alive.map((i) => this.#stopEscapees(i)));
    for (const instance of all) instance.dispose();
    await this.#node.close();
  }

  /** The rows of `adasa list`. */
  list(): InstanceInfo[] {
    return [...this.#byId.values()].sort((a, b) => a.instance.id - b.instance.id).map((e) =>
      this.info(e.instance)
    );
  }

  /** One row of `adasa list`. */
  info(instance: Instance): InstanceInfo {
    const s = instance.snapshot();
    const alive = ALIVE_STATES.has(s.state);
    return {
      id: s.id,
      name: instance.spec.name,
      instance: instance.appIndex,
      pid: s.pid,
      status: s.state,
      desired: s.desired,
      restarts: s.restarts,
      unstable_restarts: s.unstable_restarts,
      started_at: s.started_at,
      uptime_ms: alive && s.started_at !== null ? this.#deps.now() - s.started_at : null,
      exit_code: s.exit_code,
      exit_signal: s.exit_signal,
      exited_at: s.exited_at,
      reason: s.reason,
      ...instance.probeStatus(),
      cpu: null,
      memory: null,
      group_cpu: null,
      group_memory: null,
    };
  }

  /** The app an instance belongs to. */
  appOf(instance: Instance): AppEntry {
    const hit = this.#byId.get(instance.id);
    if (!hit) throw new AdasaError("NOT_FOUND", `No instance with id ${instance.id}`);
    return hit.app;
  }

  #appsOf(instances: Instance[]): AppEntry[] {
    const apps = new Set<AppEntry>();
    for (const i of instances) {
      const hit = this.#byId.get(i.id);
      if (hit) apps.add(hit.app);
    }
    return [...apps];
  }

  #addInstance(app: AppEntry, snapshot: InstanceSnapshot, index: number): Instance {
    const instance = new Instance({ snapshot, appIndex: index, spec: () => app.spec }, this.#hooks);
    app.instances.push(instance);
    app.instances.sort((a, b) => a.appIndex - b.appIndex);
    this.#byId.set(instance.id, { app, instance });
    return instance;
  }

  #environment(instance: Instance): Record<string, string> {
    const spec = instance.spec;
    const { restarts } = instance.snapshot();
    const env = instanceEnvironment(spec, { id: instance.id, index: instance.appIndex, restarts });
    const appId = this.#byId.get(instance.id)?.app.id ?? -1;
    return { ...env, ...this.#node.environment(spec, appId, env), ...this.#deps.childTag };
  }

  /** Records an event about an app that is not a transition (e.g. a trigger not armed). */
  recordAppEvent(app: AppEntry, event: string, reason: string): void {
    this.#event(app, null, event, reason);
  }

  /** Records an event about an instance that is not a transition (e.g. a limit exceeded). */
  recordInstanceEvent(instance: Instance, event: string, reason: string): void {
    const hit = this.#byId.get(instance.id);
    if (hit) this.#event(hit.app, instance.id, event, reason);
  }

  #event(app: AppEntry, instanceId: number | null, event: string, reason: string | null): void {
    try {
      this.#deps.registry.recordEvent({
        at: this.#deps.now(),
        app: app.spec.name,
        instance_id: instanceId,
        event,
        reason,
      });
    } catch (error) {
      this.#deps.onPersistError(error);
    }
  }

  /** Runs `fn` once every earlier compound command on these apps is done. */
  async #withAppLocks<T>(apps: AppEntry[], fn: () => Promise<T>): Promise<T> {
    const names = [...new Set(apps.map((a) => a.spec.name))].sort();
    const previous = Promise.all(names.map((n) => this.#appLocks.get(n)?.catch(() => {})));
    const run = previous.then(fn);
    for (const name of names) this.#appLocks.set(name, run);
    try {
      return await run;
    } finally {
      for (const name of names) if (this.#appLocks.get(name) === run) this.#appLocks.delete(name);
    }
  }

  #changed(): void {
    try {
      this.#deps.onAppsChanged?.();
    } catch {
      // The listener guards itself (triggers log their own failures).
    }
  }
}

function blankSnapshot(id: number, desired: "up" | "down"): InstanceSnapshot {
  return {
    id,
    state: "stopped",
    desired,
    pid: null,
    pid_start_ticks: null,
    restarts: 0,
    unstable_restarts: 0,
    started_at: null,
    exited_at: null,
    exit_code: null,
    exit_signal: null,
    reason: null,
  };
}
