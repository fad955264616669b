/**
 * The daemon as a child subreaper (`prctl(PR_SET_CHILD_SUBREAPER, 1)`, through Deno's FFI on
 * libc): a descendant that leaves its instance's process group (setsid, double fork) is
 * re-parented to the daemon instead of init, so it stays in reach of a stop (#13). Those
 * adopted processes are not the runtime's children, so nobody would wait for them: their
 * zombies are reaped here with waitpid(pid, WNOHANG), one known pid at a time, never with
 * waitpid(-1), which would steal the exit status of a child the runtime waits for.
 */
import { getLogger } from "../logger.ts";

const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;
const REAP_INTERVAL_MS = 2_000;

const SYMBOLS = {
  prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
  waitpid: { parameters: ["i32", "pointer", "i32"], result: "i32" },
} as const;

/** The subreaper: disposing it stops the reaping timer and closes libc. */
export interface Subreaper extends Disposable {
  /** Whether prctl succeeded. */
  readonly active: boolean;
  /** Reaps adopted zombies now (also done every 2 s). */
  reap(): number;
}

/**
 * Makes this process a child subreaper. `runtimeChildren` lists the pids the runtime spawned
 * and waits for itself (instances' leaders), which are never reaped here. Where FFI or libc is
 * unavailable, it logs a warning and returns an inactive subreaper: stops then warn about
 * escaped descendants instead of finding them re-parented.
 */
export function becomeSubreaper(runtimeChildren: () => Iterable<number>): Subreaper {
  let lib: Deno.DynamicLibrary<typeof SYMBOLS> | null = null;
  try {
    lib = Deno.dlopen("libc.so.6", SYMBOLS);
    if (lib.symbols.prctl(PR_SET_CHILD_SUBREAPER, 1n, 0n, 0n, 0n) !== 0) {
      throw new Error("prctl(PR_SET_CHILD_SUBREAPER) failed");
    }
  } catch (error) {
    getLogger().warn("Not a child subreaper ({error}): escaped descendants go to init", {
      error: String(error),
    });
    lib?.close();
    return { active: false, reap: () => 0, [Symbol.dispose]() {} };
  }
  const libc = lib;
  const ownGroup = processGroupOf("self");
  const reap = () => {
    const known = new Set(runtimeChildren());
    let reaped = 0;
    for (const pid of childrenOfSelf()) {
      if (known.has(pid)) continue;
      const stat = statOf(String(pid));
      // The runtime's own helpers (probes, config loaders) stay in the daemon's group.
      if (!stat || stat.state !== "Z" || stat.pgrp === ownGroup) continue;
      if (libc.symbols.waitpid(pid, null, WNOHANG) === pid) reaped++;
    }
    return reaped;
  };
  const timer = setInterval(reap, REAP_INTERVAL_MS);
  Deno.unrefTimer(timer);
  return {
    active: true,
    reap,
    [Symbol.dispose]() {
      clearInterval(timer);
      libc.close();
    },
  };
}

/** Direct children of this process, from every thread's `children` file. */
function childrenOfSelf(): number[] {
  const out: number[] = [];
  try {
    for (const task of Deno.readDirSync("/proc/self/task")) {
      try {
        const text = Deno.readTextFileSync(`/proc/self/task/${task.name}/children`);
        for (const word of text.split(" ")) if (word) out.push(Number(word));
      } catch {
        // the thread ended
      }
    }
  } catch {
    // no /proc
  }
  return out;
}

function statOf(pid: string): { state: string; pgrp: number } | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0]!, pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}

function processGroupOf(pid: string): number {
  return statOf(pid)?.pgrp ?? -1;
}
