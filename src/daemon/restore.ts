/**
 * Loads the registry at daemon start. Processes the previous daemon left behind (it was
 * killed) are stopped first, whole groups: those recognised by recorded pid AND start time,
 * and those carrying this home's ADASA_MANAGED_BY tag; a pid reused by an unrelated program
 * is never signalled. Then every instance is loaded as `stopped`, ready for `resume()`.
 */
import type { Store } from "../store/mod.ts";
import type { InstanceRow } from "../store/mod.ts";
import { getLogger } from "../logger.ts";
import type { DaemonContext } from "./context.ts";
import { readStartTicks } from "../monitor/mod.ts";

/** The variable every child carries, set to the daemon's home. */
export const CHILD_TAG = "ADASA_MANAGED_BY";

export async function restoreRegistry(ctx: DaemonContext): Promise<void> {
  const apps = ctx.store.registry.allApps();
  const rows = ctx.store.registry.allInstances();
  const graceMs = Math.max(0, ...apps.map((a) => a.spec.kill_timeout_ms));
  const leaders = new Set([...recordedLeaders(rows), ...taggedLeaders(ctx.paths.home)]);
  await stopGroups([...leaders], graceMs);
  settleRows(ctx.store, rows);
  ctx.supervisor.load(apps.map((a) => ({ id: a.id, spec: a.spec })), rows);
}

/** Marks rows of the previous generation stopped (keeping `desired`), with an event. */
function settleRows(store: Store, rows: InstanceRow[]): void {
  const now = Date.now();
  store.transaction(() => {
    for (const row of rows) {
      if (row.state === "stopped" || row.state === "exited" || row.state === "errored") continue;
      const from = row.state;
      row.state = "stopped";
      row.pid = null;
      row.pid_start_ticks = null;
      row.reason = "daemon restarted";
      store.registry.updateInstance(row);
      store.events.insert({
        at: now,
        instance_id: row.id,
        app: null,
        event: "daemon_restart",
        from_state: from,
        to_state: "stopped",
        pid: null,
        exit_code: null,
        signal: null,
        uptime_ms: null,
        reason: "the previous daemon ended while this instance was " + from,
      });
    }
  });
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
