/** The processes of this machine as tests see them, from /proc. */

export interface ProcInfo {
  pid: number;
  /** One letter: R, S, D, Z (zombie), X (dead), ... */
  state: string;
  ppid: number;
  pgrp: number;
}

/** A process from its stat file, or null when it is gone. */
export function readProc(pid: number): ProcInfo | null {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return null;
  }
  // The command name may hold spaces and parentheses: the fields start after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { pid, state: fields[0]!, ppid: Number(fields[1]), pgrp: Number(fields[2]) };
}

/** Whether a process is running (not a zombie waiting to be reaped). */
export function isLive(proc: ProcInfo | null): proc is ProcInfo {
  return proc !== null && proc.state !== "Z" && proc.state !== "X";
}

/** Every process of the machine (zombies included; a process that ends meanwhile is skipped). */
export function* processes(): Generator<ProcInfo> {
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const proc = readProc(Number(entry.name));
    if (proc) yield proc;
  }
}

/** Live processes whose process group is `pgid`. */
export function liveGroupMembers(pgid: number): ProcInfo[] {
  return [...processes()].filter((p) => p.pgrp === pgid && isLive(p));
}

/** A process's `/proc/<pid>/<file>` text (environ, cmdline), or null when unreadable. */
export function procText(pid: number, file: "environ" | "cmdline"): string | null {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/${file}`);
  } catch {
    return null;
  }
}

/** Whether a NUL-separated environment holds `name=value`. */
export function hasVariable(environ: string, name: string, value: string): boolean {
  const needle = `${name}=${value}\0`;
  return environ.startsWith(needle) || environ.includes(`\0${needle}`);
}

/** A process's resident memory in bytes (VmRSS), or null when it is gone. */
export function rssBytes(pid: number): number | null {
  try {
    const kb = Deno.readTextFileSync(`/proc/${pid}/status`).match(/^VmRSS:\s+(\d+) kB$/m)?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}
