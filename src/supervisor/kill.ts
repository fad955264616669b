/** Signals to a whole process group, so no grandchild outlives a stop. */

/**
 * Sends `signal` to the process group led by `pgid`. Returns false when the group is gone
 * (ESRCH), which is expected when the leader and its children already exited.
 */
export function signalGroup(pgid: number, signal: string): boolean {
  if (!Number.isSafeInteger(pgid) || pgid <= 1) {
    throw new RangeError(`Refusing to signal group ${pgid}`);
  }
  try {
    Deno.kill(-pgid, signal as Deno.Signal);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Sends `signal` to one process. Returns false when it is gone. */
export function signalProcess(pid: number, signal: string): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 1) throw new RangeError(`Refusing to signal pid ${pid}`);
  try {
    Deno.kill(pid, signal as Deno.Signal);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Whether any live (non-zombie) process is left in the group. A cheap kill(-pgid, SIGCONT)
 * answers "gone" for most groups; otherwise /proc is read, because zombies still count for
 * kill(2) until their new parent reaps them.
 */
export function isGroupAlive(pgid: number, procRoot = "/proc"): boolean {
  if (!signalGroup(pgid, "SIGCONT")) return false;
  for (const entry of Deno.readDirSync(procRoot)) {
    const first = entry.name.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`${procRoot}/${entry.name}/stat`);
    } catch {
      continue; // exited while we looked
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") return true;
  }
  return false;
}
