/**
 * Zombie reaping for `adasa run` as PID 1 (a container's init): orphaned grandchildren of the
 * apps are re-parented to PID 1, and nothing else waits for them. Deno waits only for its own
 * children by pid, so this reaps, by pid, every zombie child that is not one of them.
 */
const WNOHANG = 1;

export interface Reaper extends Disposable {
  /** Zombies reaped so far. */
  readonly reaped: number;
}

/**
 * Reaps zombie children of this process except `keep` (children Deno itself waits for),
 * on every SIGCHLD and once a second.
 */
export function startReaper(keep: () => Set<number>): Reaper {
  const libc = Deno.dlopen("libc.so.6", {
    waitpid: { parameters: ["i32", "pointer", "i32"], result: "i32" },
  });
  let reaped = 0;
  const reap = () => {
    for (const pid of zombieChildren(Deno.pid)) {
      if (keep().has(pid)) continue;
      if (libc.symbols.waitpid(pid, null, WNOHANG) === pid) reaped++;
    }
  };
  Deno.addSignalListener("SIGCHLD", reap);
  const timer = setInterval(reap, 1000);
  return {
    get reaped() {
      return reaped;
    },
    [Symbol.dispose]() {
      clearInterval(timer);
      Deno.removeSignalListener("SIGCHLD", reap);
      libc.close();
    },
  };
}

/** Pids in state Z whose parent is `parent`. */
function zombieChildren(parent: number): number[] {
  const out: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z" && Number(fields[1]) === parent) out.push(Number(entry.name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
