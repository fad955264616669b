/**
 * CPU and memory of managed processes and of their whole process groups, in one pass over
 * /proc per tick. Each instance is started with setsid, so its process group id equals its
 * pid; group totals then include every child and grandchild that stayed in the group.
 * Reads are synchronous on purpose: a tick is a few ms of small procfs reads, for which the
 * sync ops cost less CPU than async ones, and the daemon's idle CPU is the goal here.
 */
import { StatFiles } from "./stat_files.ts";
import {
  CLOCK_TICKS_PER_SECOND,
  DEFAULT_PROC_ROOT,
  isPidName,
  parsePgrp,
  parseStat,
  type ProcStat,
  readBootTimeMs,
  readPageSize,
  readProcText,
} from "./proc.ts";

/** What to sample: an instance id and the pid of its main process. */
export interface SampleTarget {
  id: number;
  pid: number;
}

/** One measurement of one instance. Field names are the columns of the `stats` table. */
export interface Sample {
  instance_id: number;
  pid: number;
  /** When the sample was taken, in ms since the epoch. */
  at: number;
  /**
   * Percent of one core over the last interval, like top. Null on the first sample of a pid
   * that may predate the previous tick: its ticks cannot be split into before and after.
   */
  cpu: number | null;
  /** Resident set size in bytes. */
  memory: number;
  /** cpu summed over the process group (pgid = pid); null when cpu is null. */
  group_cpu: number | null;
  /** memory summed over the process group; shared pages are counted once per process. */
  group_memory: number;
}

/** Options of a Sampler; everything has a default fit for production. */
export interface SamplerOptions {
  /** Clock in ms since the epoch; injected by tests. */
  now?: () => number;
  /** Where procfs is mounted; tests point it at a fixture tree. */
  procRoot?: string;
  /** Bytes per page; measured from /proc/self when omitted. */
  pageSize?: number;
  /** Boot time in ms since the epoch; read from /proc/stat when omitted. */
  bootTimeMs?: number;
  /** Scan every pid of the host on one tick in this many; default DEFAULT_FULL_SCAN_EVERY. */
  fullScanEvery?: number;
}

/**
 * Ticks between two scans of every pid on the host (10 s at a 2 s tick): a child started in
 * between is found at the next full scan and its CPU is counted from then on.
 */
export const DEFAULT_FULL_SCAN_EVERY = 5;

interface Seen {
  start: number;
  ticks: number;
}

interface Totals {
  pid: number;
  own: ProcStat | null;
  ownDelta: number | null;
  groupTicks: number;
  groupPages: number;
}

/** Samples targets on demand; keeps the previous tick's counters to turn ticks into percent. */
export class Sampler implements Disposable {
  readonly #now: () => number;
  readonly #root: string;
  readonly #pageSize: number;
  readonly #bootTimeMs: number;
  #seen = new Map<number, Seen>();
  #spare = new Map<number, Seen>();
  #prevAt: number | null = null;
  #fullScanAt: number | null = null;
  #ticks = 0;
  readonly #fullScanEvery: number;
  /** Only on the real procfs: fixture trees are rewritten file by file, not re-read in place. */
  readonly #files: StatFiles | null;

  constructor(options: SamplerOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#root = options.procRoot ?? DEFAULT_PROC_ROOT;
    this.#pageSize = options.pageSize ?? readPageSize(this.#root);
    this.#bootTimeMs = options.bootTimeMs ?? readBootTimeMs(this.#root) ?? 0;
    this.#fullScanEvery = Math.max(1, options.fullScanEvery ?? DEFAULT_FULL_SCAN_EVERY);
    this.#files = this.#root === DEFAULT_PROC_ROOT ? new StatFiles(this.#root) : null;
  }

  /** Closes the stat files kept open between ticks. */
  [Symbol.dispose](): void {
    this.#files?.[Symbol.dispose]();
  }

  /**
   * Measures every target in one scan of /proc. A target whose process is gone gets no sample.
   * CPU is (delta utime+stime ticks / ticks per second) / elapsed seconds * 100, as top shows it.
   */
  sample(targets: readonly SampleTarget[]): Sample[] {
    const at = this.#now();
    const totals = new Map<number, Totals>();
    for (const t of targets) {
      totals.set(t.pid, { pid: t.pid, own: null, ownDelta: null, groupTicks: 0, groupPages: 0 });
    }
    if (totals.size > 0) this.#scan(totals, at);
    const elapsed = this.#prevAt === null ? 0 : (at - this.#prevAt) / 1000;
    this.#prevAt = at;
    const samples: Sample[] = [];
    for (const t of targets) {
      const total = totals.get(t.pid);
      if (!total?.own) continue;
      samples.push(this.#toSample(t.id, total, at, elapsed));
    }
    return samples;
  }

  #toSample(id: number, total: Totals, at: number, elapsed: number): Sample {
    const own = total.own as ProcStat;
    const cpu = total.ownDelta === null || elapsed <= 0 ? null : percent(total.ownDelta, elapsed);
    return {
      instance_id: id,
      pid: total.pid,
      at,
      cpu,
      memory: own.rssPages * this.#pageSize,
      group_cpu: cpu === null ? null : percent(total.groupTicks, elapsed),
      group_memory: total.groupPages * this.#pageSize,
    };
  }

  /**
   * Every `fullScanEvery` ticks, reads the stat of every pid on the host (only members of a
   * target group are fully parsed); in between, only the pids seen in a group last tick and
   * the targets. A process outside the instance's session cannot join its group (setpgid
   * requires the same session), so only children born since the last full scan are missed.
   */
  #scan(totals: Map<number, Totals>, at: number): void {
    const full = this.#ticks++ % this.#fullScanEvery === 0;
    const next = this.#spare;
    next.clear();
    if (full) {
      for (const entry of Deno.readDirSync(this.#root)) {
        if (isPidName(entry.name)) this.#visit(Number(entry.name), totals, next, at);
      }
    } else {
      for (const pid of this.#seen.keys()) this.#visit(pid, totals, next, at);
      for (const pid of totals.keys()) if (!next.has(pid)) this.#visit(pid, totals, next, at);
    }
    if (full) this.#fullScanAt = at;
    this.#files?.retain(next);
    this.#spare = this.#seen;
    this.#seen = next;
  }

  #visit(pid: number, totals: Map<number, Totals>, next: Map<number, Seen>, at: number): void {
    // Tracked pids are read through files kept open; a full scan's strangers are read once.
    const tracked = this.#files && (this.#seen.has(pid) || totals.has(pid));
    const text = tracked ? this.#files!.read(pid) : readProcText(this.#root, `${pid}/stat`);
    if (text === null) return; // exited since the listing
    const group = totals.get(parsePgrp(text));
    const self = totals.get(pid);
    if (!group && !self) return;
    const stat = parseStat(text);
    if (!stat) return;
    const delta = this.#delta(stat, at);
    // Reuse last tick's record: no garbage per tracked pid per tick.
    const record = this.#seen.get(pid) ?? { start: 0, ticks: 0 };
    record.start = stat.startTicks;
    record.ticks = stat.ticks;
    next.set(pid, record);
    if (group) {
      group.groupTicks += delta ?? 0;
      group.groupPages += stat.rssPages;
    }
    if (self) {
      self.own = stat;
      self.ownDelta = delta;
    }
  }

  /**
   * Ticks used since the last tick; null when unknown. A process first seen now that was born
   * after the last full scan was never observed: its ticks are spread evenly over its life.
   */
  #delta(stat: ProcStat, at: number): number | null {
    const prev = this.#seen.get(stat.pid);
    if (prev && prev.start === stat.startTicks) return Math.max(0, stat.ticks - prev.ticks);
    if (this.#prevAt === null || this.#fullScanAt === null) return null;
    const bornAt = this.#bootTimeMs + (stat.startTicks * 1000) / CLOCK_TICKS_PER_SECOND;
    if (bornAt < this.#fullScanAt) return null;
    return bornAt >= this.#prevAt ? stat.ticks : stat.ticks * (at - this.#prevAt) / (at - bornAt);
  }
}

function percent(ticks: number, seconds: number): number {
  return (ticks / CLOCK_TICKS_PER_SECOND / seconds) * 100;
}
