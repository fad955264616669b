/**
 * Read-only parsing of Linux /proc. The root is injectable so tests can point it at fixture
 * trees. A process that vanishes between listing and reading gives null, never an error: pids
 * come and go all the time and that is not a fault.
 */

/** The default location of procfs. */
export const DEFAULT_PROC_ROOT = "/proc";

/**
 * Clock ticks per second of the times in /proc/<pid>/stat. The kernel exports them in USER_HZ,
 * which is fixed at 100 on every Linux architecture regardless of the kernel's internal HZ
 * (sysconf(_SC_CLK_TCK) returns that constant), so no system call is needed to learn it.
 */
export const CLOCK_TICKS_PER_SECOND = 100;

/** The page size assumed when it cannot be measured (x86-64 and most arm64 kernels). */
export const DEFAULT_PAGE_SIZE = 4096;

/** The fields of /proc/<pid>/stat that monitoring needs. */
export interface ProcStat {
  pid: number;
  ppid: number;
  /** Process group id; equals the instance's pid for everything started in its session. */
  pgrp: number;
  /** utime + stime (fields 14 and 15), in clock ticks. */
  ticks: number;
  /** Start time after boot (field 22), in clock ticks. */
  startTicks: number;
  /** Resident set size (field 24), in pages. */
  rssPages: number;
}

// Fields after the comm, counted from 0 at "state" (field 3 of proc(5)).
const PPID = 1;
const PGRP = 2;
const UTIME = 11;
const STIME = 12;
const STARTTIME = 19;
const RSS = 21;

/**
 * Reads the unsigned decimal field `index` counted from `from` without allocating substrings.
 * Returns -1 when the line is too short or the field is not a number.
 */
function fieldAt(text: string, from: number, index: number): number {
  let i = from;
  for (let n = 0; n < index; n++) {
    i = text.indexOf(" ", i);
    if (i < 0) return -1;
    i++;
  }
  let value = 0;
  let digits = 0;
  for (; i < text.length; i++, digits++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    value = value * 10 + c;
  }
  return digits === 0 ? -1 : value;
}

/** Where the fields after "comm) " begin; the comm may hold spaces and ")", so use the last one. */
function fieldsStart(text: string): number {
  const close = text.lastIndexOf(")");
  return close < 0 ? -1 : close + 2;
}

/** The process group of a stat line, or -1; cheap enough to run on every pid of the host. */
export function parsePgrp(text: string): number {
  const start = fieldsStart(text);
  return start < 0 ? -1 : fieldAt(text, start, PGRP);
}

/** Parses one /proc/<pid>/stat line, or returns null when it is truncated or malformed. */
export function parseStat(text: string): ProcStat | null {
  const start = fieldsStart(text);
  if (start < 0) return null;
  const pid = fieldAt(text, 0, 0);
  const ppid = fieldAt(text, start, PPID);
  const pgrp = fieldAt(text, start, PGRP);
  const utime = fieldAt(text, start, UTIME);
  const stime = fieldAt(text, start, STIME);
  const startTicks = fieldAt(text, start, STARTTIME);
  const rssPages = fieldAt(text, start, RSS);
  if (pid < 0 || ppid < 0 || pgrp < 0 || utime < 0 || stime < 0) return null;
  if (startTicks < 0 || rssPages < 0) return null;
  return { pid, ppid, pgrp, ticks: utime + stime, startTicks, rssPages };
}

/** Reads a file under the proc root, or null when it is gone (the process exited). */
export function readProcText(root: string, path: string): string | null {
  try {
    return Deno.readTextFileSync(`${root}/${path}`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    // ESRCH surfaces as a generic error when the task dies mid-read.
    if (error instanceof Error && /ESRCH|No such process/i.test(error.message)) return null;
    throw error;
  }
}

/** The stat of one process, or null when it no longer exists. */
export function readStat(pid: number, root: string = DEFAULT_PROC_ROOT): ProcStat | null {
  const text = readProcText(root, `${pid}/stat`);
  return text === null ? null : parseStat(text);
}

/**
 * Start time of a process in clock ticks after boot: with the pid, it identifies a process
 * across daemon restarts, since a reused pid gets a later start time.
 */
export function readStartTicks(pid: number, root: string = DEFAULT_PROC_ROOT): number | null {
  return readStat(pid, root)?.startTicks ?? null;
}

/** Boot time in ms since the epoch, from the `btime` line of /proc/stat (1 s resolution). */
export function readBootTimeMs(root: string = DEFAULT_PROC_ROOT): number | null {
  const text = readProcText(root, "stat");
  const match = text === null ? null : /^btime (\d+)$/m.exec(text);
  return match ? Number(match[1]) * 1000 : null;
}

/**
 * The page size, measured once as VmRSS (kB, /proc/self/status) divided by resident pages
 * (/proc/self/statm); Deno exposes no sysconf. Rounded to a power of two because the two files
 * are read at slightly different moments; falls back to 4096.
 */
export function readPageSize(root: string = DEFAULT_PROC_ROOT): number {
  const status = readProcText(root, "self/status");
  const statm = readProcText(root, "self/statm");
  const rssKb = status === null ? NaN : Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  const pages = statm === null ? NaN : Number(statm.split(" ")[1]);
  if (!(rssKb > 0) || !(pages > 0)) return DEFAULT_PAGE_SIZE;
  const size = 2 ** Math.round(Math.log2((rssKb * 1024) / pages));
  return size >= 4096 && size <= 65536 ? size : DEFAULT_PAGE_SIZE;
}

/** Whether a directory name under /proc is a pid. */
export function isPidName(name: string): boolean {
  const c = name.charCodeAt(0);
  return c >= 48 && c <= 57;
}
