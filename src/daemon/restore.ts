/**
 * Loads the registry at daemon start. Processes the previous daemon left behind (it was
 * killed) are stopped first, whole groups: those recognised by recorded pid AND start time,
 * and those carrying this home's ADASA_MANAGED_BY tag; a pid reused by an unrelated program
 * is never signalled. Each stored definition is validated again: a bad one makes its app
 * `errored` with the reason, never a dead daemon. Instances that were running come back as
 * `stopped` (with an event on their app) for `resume()`; those that ended (`exited`, `errored`)
 * stay so within one boot, and become startable again after a reboot, as enabled systemd
 * units do. `desired` is never changed here.
 */
import type { InstanceRow, Store } from "../store/mod.ts";
import { getLogger } from "../logger.ts";
import { type AppSpec, normalizeAppSpec, upgradeStoredSpec } from "../protocol/mod.ts";
import type { DaemonContext } from "./context.ts";
import { readStartTicks } from "../monitor/mod.ts";

/** The variable every child carries, set to the daemon's home. */
export const CHILD_TAG = "ADASA_MANAGED_BY";

/** The reason on the events of instances found running after the daemon was killed. */
export const RECOVERED = "recovered after the daemon was killed";

/** How the daemon starts, for the events of the apps it resumes. */
export interface RestoreReport {
  /** Whether this is the first daemon start since the machine booted. */
  newBoot: boolean;
}

export async function restoreRegistry(ctx: DaemonContext): Promise<RestoreReport> {
  const apps = loadApps(ctx.store);
  const rows = ctx.store.registry.allInstances();
  const graceMs = Math.max(0, ...apps.map((a) => a.spec.kill_timeout_ms));
  const leaders = new Set([...recordedLeaders(rows), ...taggedLeaders(ctx.paths.home)]);
  await stopGroups([...leaders], graceMs);
  const bootId = readBootId();
  const newBoot = bootId === null || ctx.store.meta.get("boot_id") !== bootId;
  const names = new Map(apps.map((a) => [a.id, a]));
  settleRows(ctx.store, rows, { names, newBoot, bootId });
  ctx.supervisor.load(apps, rows);
  return { newBoot };
}

interface LoadedApp {
  id: number;
  spec: AppSpec;
  /** Why the stored definition cannot be used, if it cannot. */
  invalid?: string;
}

/** Every stored app, each validated on its own: one bad row never stops the daemon. */
function loadApps(store: Store): LoadedApp[] {
  return store.registry.allAppsStored().map((row) => {
    try {
      const stored = JSON.parse(row.spec);
      return { id: row.id, spec: normalizeAppSpec(upgradeStoredSpec(stored)) };
    } catch (error) {
      const invalid = `stored definition is invalid: ${(error as Error).message}`;
      getLogger("restore").error("App {name}: {invalid}", { name: row.name, invalid });
      return { id: row.id, spec: placeholderSpec(row.name), invalid };
    }
  });
}

/** A definition that runs nothing, to show (and delete) an app whose stored one is bad. */
function placeholderSpec(name: string): AppSpec {
  return { ...normalizeAppSpec({ name: "invalid", command: "false", cwd: "/" }), name };
}

/** The kernel's id of this boot, or null where /proc does not say. */
export function readBootId(): string | null {
  try {
    return Deno.readTextFileSync("/proc/sys/kernel/random/boot_id").trim() || null;
  } catch {
    return null;
  }
}

/**
 * Marks rows of the previous generation stopped (keeping `desired`), each with an event on its
 * app; after a reboot, ended instances become stopped too, so those wanted up start again.
 */
function settleRows(
  store: Store,
  rows: InstanceRow[],
  options: { names: Map<number, LoadedApp>; newBoot: boolean; bootId: string | null },
): void {
  const now = Date.now();
  store.transaction(() => {
    for (const row of rows) {
      const app = options.names.get(row.app_id);
      if (!app) continue;
      const from = row.state;
      const settled = settledState(row, app, options.newBoot);
      if (!settled) continue;
      row.state = settled.to;
      row.pid = null;
      row.pid_start_ticks = null;
      row.reason = settled.reason;
      store.registry.updateInstance(row);
      store.events.insert({
        at: now,
        instance_id: row.id,
        app: app.spec.name,
        event: settled.event,
        from_state: from,
        to_state: settled.to,
        pid: null,
        exit_code: null,
        signal: null,
        uptime_ms: null,
        reason: settled.reason,
      });
    }
    if (options.bootId) store.meta.set("boot_id", options.bootId);
  });
}

/** What a stored row becomes at daemon start, or null when it stays as it is. */
function settledState(
  row: InstanceRow,
  app: LoadedApp,
  newBoot: boolean,
): { to: "stopped" | "errored"; event: string; reason: string } | null {
  if (app.invalid) {
    if (row.state === "errored" && row.reason === app.invalid) return null;
    return { to: "errored", event: "invalid_definition", reason: app.invalid };
  }
  if (row.state === "stopped") return null;
  if (row.state === "exited" || row.state === "errored") {
    if (!newBoot || row.desired !== "up") return null;
    return { to: "stopped", event: "daemon_start", reason: `new boot: was ${row.state}` };
  }
  return { to: "stopped", event: "recovered", reason: `${RECOVERED} (it was ${row.state})` };
}

/**
 * Leaders recorded in the registry that are still ours: alive with the start time we wrote
 * down, or gone while processes remain in their group (the kernel does not hand out a pid
 * that is still some group's id, so that group can only be the one our leader made).
 */
function recordedLeaders(rows: InstanceRow[]): number[] {
  return rows.filter((row) => {
    if (row.pid === null || row.pid_start_ticks === null) return false;
    const ticks = readStartTicks(row.pid);
    if (ticks !== null) return ticks === row.pid_start_ticks;
    return groupExists(row.pid);
  }).map((row) => row.pid!);
}

/**
 * Group leaders whose environment says this home's daemon started them. A SIGKILL can land
 * between a spawn and the write of its pid, so the registry alone may miss one child; the tag
 * cannot, and no daemon of this home runs yet, so every tagged process is of the old generation.
 */
function taggedLeaders(home: string): number[] {
  const needle = `${CHILD_TAG}=${home}\0`;
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[2] !== entry.name) continue; // not a group leader
      const environ = Deno.readTextFileSync(`/proc/${entry.name}/environ`);
      if (environ.startsWith(needle) || environ.includes(`\0${needle}`)) {
        found.push(Number(entry.name));
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

async function stopGroups(leaders: number[], graceMs: number): Promise<void> {
  if (leaders.length === 0) return;
  const log = getLogger("restore");
  for (const pid of leaders) {
    log.warn("Stopping process group {pid} left by the previous daemon", { pid });
    signal(-pid, "SIGTERM");
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && leaders.some((pid) => groupExists(pid))) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  for (const pid of leaders) signal(-pid, "SIGKILL");
}

function signal(target: number, sig: Deno.Signal): boolean {
  try {
    Deno.kill(target, sig);
    return true;
  } catch {
    return false; // ESRCH: the process or group is gone (EPERM: not ours to signal)
  }
}

function groupExists(pgid: number): boolean {
  return signal(-pgid, "SIGCONT");
}
