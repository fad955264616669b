/**
 * Descendants that left their instance's process group (setsid, a double fork) escape a
 * group signal. Every child carries its instance's marks in its environment (ADASA_ID and the
 * home's ADASA_MANAGED_BY), which its descendants inherit, so once an instance's group is
 * gone, any live process still carrying its marks escaped: it is stopped here, by pid, and
 * named in the stop's event (#13).
 */
import { signalGroup, signalProcess } from "./kill.ts";

/** What stopping the escapees of one instance did. */
export interface EscapeReport {
  /** Processes stopped, with their command names. */
  stopped: Array<{ pid: number; name: string }>;
  /** Processes that could not be signalled (another user's, or protected). */
  failed: number[];
}

/** Live processes outside the daemon's own group whose environment holds every mark. */
export function findTagged(marks: Record<string, string>, procRoot = "/proc"): number[] {
  return matching(marks, scanEnvirons(procRoot));
}

function matching(marks: Record<string, string>, environs: Map<number, string>): number[] {
  const needles = Object.entries(marks).map(([k, v]) => `${k}=${v}\0`);
  if (needles.length === 0) return [];
  const found: number[] = [];
  for (const [pid, environ] of environs) {
    if (needles.every((n) => environ.startsWith(n) || environ.includes(`\0${n}`))) {
      found.push(pid);
    }
  }
  return found;
}

/** The environment of every live process outside the daemon's own group, by pid. */
function scanEnvirons(procRoot: string): Map<number, string> {
  const ownGroup = statOf("self", procRoot)?.pgrp;
  const environs = new Map<number, string>();
  for (const entry of Deno.readDirSync(procRoot)) {
    const first = entry.name.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    const stat = statOf(entry.name, procRoot);
    if (!stat || stat.state === "Z" || stat.state === "X" || stat.pgrp === ownGroup) continue;
    try {
      environs.set(Number(entry.name), Deno.readTextFileSync(`${procRoot}/${entry.name}/environ`));
    } catch {
      continue; // gone, or not ours to read
    }
  }
  return environs;
}

/**
 * A scan of /proc reads every process's environ (a few ms with a few hundred processes, on the
 * daemon's thread), so the stops that end within one short window share one: each caller asks
 * after its group is gone and the scan starts after every caller has asked, so none misses an
 * escapee. Stopping 100 instances then costs a few scans, not 100.
 */
const SCAN_BATCH_MS = 10;
let nextScan: Promise<Map<number, string>> | null = null;

function sharedScan(): Promise<Map<number, string>> {
  nextScan ??= new Promise((resolve, reject) => {
    setTimeout(() => {
      nextScan = null;
      try {
        resolve(scanEnvirons("/proc"));
      } catch (error) {
        reject(error);
      }
    }, SCAN_BATCH_MS);
  });
  return nextScan;
}

/**
 * Stops the processes carrying `marks`: `signal` to each (to its group when it leads one),
 * SIGKILL to those left after `killTimeoutMs`. Resolves once they are gone.
 */
export async function stopEscaped(
  marks: Record<string, string>,
  signal: string,
  killTimeoutMs: number,
): Promise<EscapeReport> {
  const pids = matching(marks, await sharedScan());
  const report: EscapeReport = { stopped: [], failed: [] };
  if (pids.length === 0) return report;
  for (const pid of pids) {
    if (!isLive(pid)) continue; // ended by itself since the scan
    const name = commandName(pid);
    try {
      send(pid, signal);
      report.stopped.push({ pid, name });
    } catch {
      report.failed.push(pid);
    }
  }
  const deadline = Date.now() + killTimeoutMs;
  const alive = () => report.stopped.filter(({ pid }) => isLive(pid));
  while (alive().length && Date.now() < deadline) await pause(25);
  for (const { pid } of alive()) {
    try {
      send(pid, "SIGKILL");
    } catch {
      report.failed.push(pid);
    }
  }
  for (let i = 0; i < 40 && alive().length; i++) await pause(25);
  return report;
}

function send(pid: number, signal: string): void {
  const leads = statOf(String(pid))?.pgrp === pid;
  if (leads) signalGroup(pid, signal);
  else signalProcess(pid, signal);
}

function isLive(pid: number): boolean {
  const stat = statOf(String(pid));
  return stat !== null && stat.state !== "Z" && stat.state !== "X";
}

function commandName(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/comm`).trim();
  } catch {
    return "?";
  }
}

function statOf(pid: string, procRoot = "/proc"): { state: string; pgrp: number } | null {
  try {
    const stat = Deno.readTextFileSync(`${procRoot}/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0]!, pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
