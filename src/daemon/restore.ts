/**
 * Loads the registry at daemon start. Instances that the previous daemon left in a live state
 * (it was killed) are settled first: a process of the old generation, recognised by pid AND
 * start time, has its whole group stopped; a pid reused by an unrelated program is never
 * signalled. Then every instance is loaded as `stopped`, ready for `resume()`.
 */
import type { Store } from "../store/mod.ts";
import type { InstanceRow } from "../store/mod.ts";
import { getLogger } from "../logger.ts";
import type { DaemonContext } from "./context.ts";
import { startTicksOf } from "./proc_ticks.ts";

const ORPHAN_GRACE_MS = 3_000;

export async function restoreRegistry(ctx: DaemonContext): Promise<void> {
  const apps = ctx.store.registry.allApps();
  const rows = ctx.store.registry.allInstances();
  await stopOrphans(rows);
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

/** Stops process groups left by a daemon that was killed, by pid and start time. */
async function stopOrphans(rows: InstanceRow[]): Promise<void> {
  const orphans = rows.filter((row) =>
    row.pid !== null && row.pid_start_ticks !== null &&
    startTicksOf(row.pid) === row.pid_start_ticks
  );
  if (orphans.length === 0) return;
  const log = getLogger("restore");
  for (const row of orphans) {
    log.warn("Stopping instance {id}'s group {pid} left by the previous daemon", {
      id: row.id,
      pid: row.pid,
    });
    signal(-row.pid!, "SIGTERM");
  }
  const deadline = Date.now() + ORPHAN_GRACE_MS;
  while (Date.now() < deadline && orphans.some((row) => groupExists(row.pid!))) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  for (const row of orphans) signal(-row.pid!, "SIGKILL");
}

function signal(target: number, sig: Deno.Signal): boolean {
  try {
    Deno.kill(target, sig);
    return true;
  } catch {
    return false;
  }
}

function groupExists(pgid: number): boolean {
  return signal(-pgid, "SIGCONT");
}
