/**
 * Fakes for the executor's tests: processes that exit when the test says (or on a signal they
 * do not ignore), timers on a manual clock, and a registry in memory. Only what cannot be
 * real in a millisecond test is faked; the supervisor, instances and table are the real ones.
 */
import { normalizeAppSpec } from "../../src/protocol/mod.ts";
import type { AppSpec } from "../../src/protocol/mod.ts";
import { Supervisor, type SupervisorDeps } from "../../src/supervisor/mod.ts";
import type { ProcessPort, TimerPort } from "../../src/supervisor/ports.ts";
import type { RegistryPort, TransitionRecord } from "../../src/supervisor/mod.ts";
import type { ExitStatus, SpawnedChild } from "../../src/supervisor/spawn.ts";
import type { EscapeReport } from "../../src/supervisor/escaped.ts";

/** A fake child: ends with `exit()`, or on a signal it does not ignore. */
export class FakeChild implements SpawnedChild {
  readonly pid: number;
  readonly status: Promise<ExitStatus>;
  readonly stdout = new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  readonly stderr = new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  readonly signals: string[] = [];
  alive = true;
  ignoresTerm: boolean;
  #end: (status: ExitStatus) => void = () => {};

  constructor(pid: number, ignoresTerm: boolean) {
    this.pid = pid;
    this.ignoresTerm = ignoresTerm;
    this.status = new Promise((resolve) => (this.#end = resolve));
  }

  exit(status: ExitStatus = { code: 0, signal: null }): void {
    if (!this.alive) return;
    this.alive = false;
    this.#end(status);
  }

  receive(signal: string): void {
    this.signals.push(signal);
    if (signal === "SIGKILL" || (signal === "SIGTERM" && !this.ignoresTerm)) {
      this.exit({ code: null, signal });
    }
  }
}

/** Processes in memory; `ignoreTerm` makes the next children ignore SIGTERM. */
export class FakeProcesses implements ProcessPort {
  readonly children: FakeChild[] = [];
  ignoreTerm = false;
  #nextPid = 1000;

  spawn(_spec: AppSpec, _env: Record<string, string>): SpawnedChild {
    const child = new FakeChild(this.#nextPid++, this.ignoreTerm);
    this.children.push(child);
    return child;
  }
  check(): void {}
  signalGroup(pid: number, signal: string): void {
    this.children.find((c) => c.pid === pid)?.receive(signal);
  }
  groupAlive(pid: number): boolean {
    return this.children.find((c) => c.pid === pid)?.alive ?? false;
  }
  async retire(child: SpawnedChild, signal: string): Promise<void> {
    this.signalGroup(child.pid, signal);
    await child.status;
  }
  reap(): void {}
  stopEscaped(): Promise<EscapeReport> {
    return Promise.resolve({ stopped: [], failed: [] });
  }

  /** Children still running. */
  get alive(): FakeChild[] {
    return this.children.filter((c) => c.alive);
  }
}

/** Timers on a clock the test moves. */
export class ManualClock implements TimerPort {
  now = 1_000_000;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;

  set(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.now + ms, fn });
    return id;
  }
  clear(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Moves the clock, firing due timers in order, letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    const target = this.now + ms;
    while (true) {
      await settle();
      const due = [...this.#timers.entries()].filter(([, t]) => t.at <= target)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = target;
    await settle();
  }
}

/** Lets pending promise callbacks run (a child's exit is seen through `status.then`). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** A registry in memory that keeps every transition. */
export function memoryRegistry(): RegistryPort & { transitions: TransitionRecord[] } {
  let appId = 0;
  let instanceId = 0;
  const transitions: TransitionRecord[] = [];
  return {
    transitions,
    createApp: (_spec, rows) => ({ appId: ++appId, instanceIds: rows.map(() => ++instanceId) }),
    updateApp: () => {},
    addInstances: (_app, rows) => rows.map(() => ++instanceId),
    removeInstances: () => {},
    deleteApp: () => {},
    recordTransition: (record) => void transitions.push(record),
    recordEvent: () => {},
  };
}

/** A supervisor over fakes, with one app created from `overrides`. */
export function fakeSupervisor(deps: Pick<SupervisorDeps, "onRemoved"> = {}) {
  const processes = new FakeProcesses();
  const clock = new ManualClock();
  const registry = memoryRegistry();
  const supervisor = new Supervisor({
    registry,
    now: () => clock.now,
    attachOutput: () => {},
    startTicksOf: () => null,
    onPersistError: (error) => {
      throw error;
    },
    childTag: {},
    readyDir: "/nonexistent",
    nodeDir: "/nonexistent",
    processes,
    timers: clock,
    ...deps,
  });
  return { supervisor, processes, clock, registry };
}

/** A spec for the fakes (nothing is spawned for real). */
export function fakeSpec(overrides: Record<string, unknown> = {}): AppSpec {
  return normalizeAppSpec({
    name: "app",
    command: "sleep",
    cwd: "/",
    min_uptime_ms: 100,
    kill_timeout_ms: 1_000,
    ...overrides,
  });
}
