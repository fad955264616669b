/** Ending a process group that is no longer the instance's current child. */
import { isGroupAlive, signalGroup, signalProcess } from "./kill.ts";
import type { SpawnedChild } from "./spawn.ts";

/**
 * Signals the child's group; in the instant between fork and setsid(2) the group does not
 * exist yet, so the child itself is signalled instead.
 */
export function signalChildGroup(pid: number, signal: string): void {
  if (!signalGroup(pid, signal)) signalProcess(pid, signal);
}

/** Signals what is left of a dead leader's group, then SIGKILLs it after `graceMs`. */
export function reapGroup(pgid: number, signal: string, graceMs: number): void {
  signalGroup(pgid, signal);
  const timer = setTimeout(() => signalGroup(pgid, "SIGKILL"), graceMs);
  Deno.unrefTimer(timer as unknown as number);
}

/**
 * Stops a child that was replaced (or whose replacement was abandoned): the stop signal to its
 * group, SIGKILL after `killTimeoutMs`; resolves once the whole group is gone, so a daemon
 * shutdown can wait for it.
 */
export async function retireChild(
  child: SpawnedChild,
  signal: string,
  killTimeoutMs: number,
): Promise<void> {
  signalChildGroup(child.pid, signal);
  const deadline = Date.now() + killTimeoutMs;
  let killed = false;
  let exited = false;
  child.status.then(() => (exited = true));
  while (!exited || isGroupAlive(child.pid)) {
    if (!killed && Date.now() >= deadline) {
      killed = true;
      signalGroup(child.pid, "SIGKILL");
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
