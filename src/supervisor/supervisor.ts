/**
 * The set of apps and their instances: resolves targets, and turns user commands into events
 * on instances, waiting for the outcome the user expects (a stop returns once the group is
 * gone; a restart once the new child runs). Compound commands on one app run one at a time.
 */
import { AdasaError, type AppSpec, type InstanceInfo, type State } from "../protocol/mod.ts";
import { dependencyLevels } from "../model/dependencies.ts";
import { Instance, type InstanceHooks, type InstanceSnapshot } from "./instance.ts";
import { instanceEnvironment } from "./instance_env.ts";
import { NodeRuntime } from "./node/runtime.ts";
import type { RegistryPort } from "./registry_port.ts";
import type { SpawnedChild } from "./spawn.ts";
import { ALIVE_STATES, DOWN_STATES, SIGNALLABLE_STATES } from "./states.ts";
import { startInOrder, type StartItem, type StartOutcome } from "./start_order.ts";

/** An app and its instances, in index order. */
export interface AppEntry {
  id: number;
  spec: AppSpec;
  instances: Instance[];
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
}

const RUNNING_OR_GAVE_UP: ReadonlySet<State> = new Set([
  "launching",
  "online",
  "reloading",
  "errored",
  "exited",
]);

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
      persist: (record) => deps.registry.recordTransition(record),
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
    apps: Array<{ id: number; spec: AppSpec }>,
    instances: Array<InstanceSnapshot & { app_id: number; instance: number }>,
  ): void {
    const byAppId = new Map<number, AppEntry>();
    for (const app of apps) {
      const entry: AppEntry = { id: app.id, spec: app.spec, instances: [] };
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
   * Creates an app and starts its instances.
   *
   * @throws {AdasaError} ALREADY_EXISTS when the name is taken
   */
  async create(spec: AppSpec, options: { start?: boolean } = {}): Promise<Instance[]> {
    if (this.#apps.has(spec.name)) {
      throw new AdasaError(
        "ALREADY_EXISTS",
        `App "${spec.name}" already exists; use "adasa restart ${spec.name}" or another --name`,
      );
    }
    const start = options.start ?? true;
    const rows = Array.from({ length: spec.instances }, (_, i) => ({
      instance: i,
      state: "stopped" as const,
      desired: start ? "up" as const : "down" as const,
    }));
    const created = this.#deps.registry.createApp(spec, rows, this.#deps.now());
    const entry: AppEntry = { id: created.appId, spec, instances: [] };
    this.#apps.set(spec.name, entry);
    created.instanceIds.forEach((id, i) =>
      this.#addInstance(entry, blankSnapshot(id, rows[i]!.desired), i)
    );
    if (start) await this.start(entry.instances);
    return entry.instances;
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

  /** Starts instances; resolves when each runs (or failed to). */
  async start(instances: Instance[]): Promise<void> {
    this.#deps.registry.setDesired(instances.map((i) => i.id), "up");
    for (const instance of instances) instance.start();
    await Promise.all(instances.map((i) => i.waitUntil((x) => RUNNING_OR_GAVE_UP.has(x.state))));
  }

  /**
   * Stops instances; resolves when every process group is gone. Apps that depend on others
   * among them stop first (the reverse of the start order); independent ones in parallel.
   */
  async stop(instances: Instance[], options: { force?: boolean } = {}): Promise<void> {
    this.#deps.registry.setDesired(instances.map((i) => i.id), "down");
    for (const level of this.#reverseLevels(instances)) {
      for (const instance of level) instance.stop(options);
      await Promise.all(level.map((i) => i.waitUntil((x) => DOWN_STATES.has(x.state))));
      await Promise.all(level.map((i) => i.retired()));
    }
  }

  /** Instances grouped by app, in reverse dependency order. */
  #reverseLevels(instances: Instance[]): Instance[][] {
    const apps = this.#appsOf(instances).map((app) => ({
      name: app.spec.name,
      depends_on: app.spec.depends_on ?? {},
      app,
    }));
    return dependencyLevels(apps).reverse().map((level) =>
      instances.filter((i) => level.some((entry) => entry.app.instances.includes(i)))
    ).filter((level) => level.length > 0);
  }

  /**
   * Starts apps in dependency order, each once its dependencies meet their condition, and
   * waits for each to be ready (or completed, or failed).
   */
  startInOrder(items: readonly StartItem<AppEntry>[]): Promise<StartOutcome[]> {
    return startInOrder(items, (name) => this.#apps.get(name));
  }

  /**
   * Starts instances after the apps they depend on (which are started too, if needed), and
   * waits for each to be ready.
   *
   * @throws {AdasaError} NOT_FOUND when a dependency is not defined
   */
  async startWithDependencies(instances: Instance[]): Promise<StartOutcome[]> {
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
    return await this.startInOrder([...needed.values()].map((app) => ({
      name: app.spec.name,
      depends_on: app.spec.depends_on ?? {},
      start: async () => {
        const chosen = targets.includes(app)
          ? instances.filter((i) => app.instances.includes(i))
          : app.instances;
        await this.start(chosen);
        return app;
      },
    })));
  }

  /** Restarts instances in parallel; `baseEnv` replaces the apps' environment (--update-env). */
  async restart(
    instances: Instance[],
    options: { baseEnv?: Record<string, string> } = {},
  ): Promise<void> {
    if (options.baseEnv) this.#updateBaseEnv(instances, options.baseEnv);
    this.#deps.registry.setDesired(instances.map((i) => i.id), "up");
    await Promise.all(instances.map((i) => this.#restartOne(i)));
  }

  /**
   * Replaces one instance at a time: an online instance keeps its old process until the new one
   * is ready, so the app never stops answering; others are restarted and waited for. Stops at
   * the first replacement that fails, leaving the rest on their old processes.
   *
   * @throws {AdasaError} INTERNAL naming the instance whose new process failed
   */
  async reload(
    instances: Instance[],
    options: { baseEnv?: Record<string, string> } = {},
  ): Promise<void> {
    if (options.baseEnv) this.#updateBaseEnv(instances, options.baseEnv);
    this.#deps.registry.setDesired(instances.map((i) => i.id), "up");
    for (const instance of instances) {
      if (instance.state === "online") await this.#replaceOne(instance);
      else {
        await this.#restartOne(instance);
        await instance.waitUntil((x) => x.state !== "launching");
      }
    }
  }

  async #replaceOne(instance: Instance): Promise<void> {
    const before = instance.spawns;
    instance.reload();
    await instance.waitUntil((x) => x.state !== "reloading");
    const reason = instance.snapshot().reason ?? "";
    if (instance.spawns > before && reason.startsWith("reload failed")) {
      throw new AdasaError("INTERNAL", `Reload of instance ${instance.id} stopped: ${reason}`);
    }
  }

  async #restartOne(instance: Instance): Promise<void> {
    const before = instance.spawns;
    instance.restart();
    await instance.waitUntil((x) =>
      (x.spawns > before && x.state !== "stopping") || x.state === "errored" || x.state === "exited"
    );
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
  }

  /** Stops then removes instances; an app left without instances is deleted. */
  async delete(instances: Instance[]): Promise<string[]> {
    await this.stop(instances);
    const deleted: string[] = [];
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
      }
    }
    return deleted;
  }

  /** Sets an app's instance count: new instances start, the highest indexes are removed. */
  async scale(name: string, count: number): Promise<void> {
    const app = this.#apps.get(name);
    if (!app) throw new AdasaError("NOT_FOUND", `No app "${name}"`);
    await this.#withAppLock(name, async () => {
      const current = app.instances.length;
      if (count < current) {
        await this.delete(app.instances.slice(count));
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
        await this.start(added);
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

  /** Starts every instance whose desired state is up (after a daemon start), in dependency order. */
  async resume(): Promise<void> {
    const wanted = [...this.#byId.values()].map((e) => e.instance).filter((i) =>
      i.desired === "up"
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
        if (this.#closing) throw new AdasaError("INTERNAL", "the daemon is stopping");
        await this.start(wanted.filter((i) => app.instances.includes(i)));
        return app;
      },
    }));
    // Dependents start in the background as their dependencies become ready; the daemon
    // answers (and handles signals) meanwhile.
    void this.startInOrder(items);
    const independent = items.filter((item) => Object.keys(item.depends_on).length === 0);
    await Promise.all(independent.map((item) => item.start()));
  }

  /** Stops every child for a daemon shutdown, keeping what the user wants for the next start. */
  async shutdown(): Promise<void> {
    this.#closing = true;
    const alive = [...this.#byId.values()].map((e) => e.instance).filter((i) =>
      ALIVE_STATES.has(i.state) || i.state === "waiting"
    );
    const desired = new Map(alive.map((i) => [i.id, i.desired]));
    for (const level of this.#reverseLevels(alive)) {
      for (const instance of level) instance.stop();
      await Promise.all(level.map((i) => i.waitUntil((x) => DOWN_STATES.has(x.state))));
    }
    await Promise.all([...this.#byId.values()].map((e) => e.instance.retired()));
    for (const [id, want] of desired) {
      try {
        this.#deps.registry.setDesired([id], want);
      } catch (error) {
        this.#deps.onPersistError(error);
      }
    }
    for (const { instance } of this.#byId.values()) instance.dispose();
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

  async #withAppLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#appLocks.get(name) ?? Promise.resolve();
    const run = previous.catch(() => {}).then(fn);
    this.#appLocks.set(name, run);
    try {
      return await run;
    } finally {
      if (this.#appLocks.get(name) === run) this.#appLocks.delete(name);
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
