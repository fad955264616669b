/**
 * The last N lines of several apps, in bounded memory and time (#16.1): for each app, a backward
 * pass over the index's regions counts the wanted lines (without decoding them when there is no
 * grep) until N are behind the start, then a forward pass streams from that start, skipping the
 * surplus (less than one region). Nothing holds more than one read buffer, whatever N is, and the work is
 * proportional to the lines read, not to N times the surplus.
 */
import { appLogDir } from "./paths.ts";
import { type FollowCursor, type LogIndexLookup, type LogQuery, mergeByTime } from "./reader.ts";
import { countLines, firstPosition, scanLines } from "./scan.ts";
import type { LogLine, LogPosition } from "./types.ts";

/** Where an app's last lines start and end, and how many wanted lines lie in between. */
interface TailPlan {
  app: string;
  folder: string;
  start: LogPosition | null;
  end: LogPosition | null;
  count: number;
}

/** The tail: its lines (streamed, oldest first) and the cursor a follow starts from. */
export interface Tail {
  lines: AsyncGenerator<LogLine>;
  cursor: FollowCursor;
}

/**
 * The last `query.lines` lines of `query.apps` that pass the filter, oldest first, merged in
 * time order. The cursor is complete when this resolves; `lines` reads up to it.
 */
export async function tailLogs(
  dir: string,
  index: LogIndexLookup,
  query: LogQuery & { lines: number },
): Promise<Tail> {
  const wanted = Math.max(0, query.lines);
  const plans: TailPlan[] = [];
  for (const app of query.apps) plans.push(await planTail(dir, app, index, query, wanted));
  const cursor: FollowCursor = new Map(plans.map((p) => [p.app, p.end]));
  const sources = wanted === 0 ? [] : plans.map((p) => {
    if (!p.start) return emptyLines();
    const range = { at: p.start, ...(p.end ? { stop: p.end } : {}) };
    return skipFirst(scanLines(p.folder, p.app, range, query), Math.max(0, p.count - wanted));
  });
  const kept = plans.reduce((n, p) => n + Math.min(p.count, wanted), 0);
  return { lines: skipFirst(mergeByTime(sources), Math.max(0, kept - wanted)), cursor };
}

/**
 * Counts back one index region at a time (a region is at most a second or a MiB of output),
 * from the newest, until `wanted` lines are covered: the forward pass then starts at most one
 * region before the first line it shows. Boundaries come from the index a growing page at a time.
 */
async function planTail(
  dir: string,
  app: string,
  index: LogIndexLookup,
  query: LogQuery,
  wanted: number,
): Promise<TailPlan> {
  const folder = appLogDir(dir, app);
  const plan: TailPlan = { app, folder, start: null, end: null, count: 0 };
  let stop: LogPosition | null = null; // start of the region counted last: the next one ends there
  for (let page = 16;; page *= 4) {
    const bounds = index.boundariesBefore(app, stop, page);
    const reachedStart = bounds.length < page;
    if (reachedStart) {
      const first = await firstPosition(folder);
      const oldest = bounds.at(-1) ?? stop;
      if (first && !(oldest && samePosition(first, oldest))) bounds.push(first);
    }
    for (const from of bounds) {
      const range = { at: from, ...(stop ? { stop } : {}) };
      const counted = await countLines(folder, range, query);
      if (!stop) plan.end = range.at; // the newest region is read to the end of history
      plan.start = from;
      plan.count += counted.count;
      stop = from;
      if (plan.count >= wanted || counted.beforeSince) return plan;
    }
    if (reachedStart) return plan;
  }
}

function samePosition(a: LogPosition, b: LogPosition): boolean {
  return a.file === b.file && a.byte_offset === b.byte_offset;
}

async function* emptyLines(): AsyncGenerator<LogLine> {}

async function* skipFirst(lines: AsyncGenerator<LogLine>, n: number): AsyncGenerator<LogLine> {
  let skipped = 0;
  for await (const line of lines) {
    if (skipped < n) skipped++;
    else yield line;
  }
}
