/**
 * `adasa logs --follow`: continues from where a read ended, polling the segment files. A newer
 * segment is only entered after the older one was read to its end, with the segment list taken
 * before that last read, so a rotation neither skips nor repeats a line. Pull-based: a consumer
 * that stops reading stops the reads, so a slow client costs no memory.
 */
import { appLogDir } from "./paths.ts";
import { mergeByTime } from "./reader.ts";
import type { FollowCursor } from "./reader.ts";
import { firstPosition, type LogFilter, scanLines } from "./scan.ts";
import type { LogLine, LogPosition } from "./types.ts";

/** How often the files are checked for new data. */
export const FOLLOW_POLL_MS = 150;

/** Options of `followLogs`. */
export interface FollowOptions {
  /** Ends the iteration (e.g. the client went away). */
  signal?: AbortSignal;
  pollMs?: number;
}

/**
 * Yields lines written after `cursor` (from `readLogs` or `tailLogs`), until `signal` aborts.
 * Apps without a position start at their oldest segment once one appears.
 */
export async function* followLogs(
  dir: string,
  cursor: FollowCursor,
  filter: LogFilter,
  options: FollowOptions = {},
): AsyncGenerator<LogLine> {
  const ranges = new Map<string, { at: LogPosition } | null>();
  for (const [app, at] of cursor) ranges.set(app, at ? { at } : null);
  const live = { ...filter, until: undefined };
  while (!options.signal?.aborted) {
    const sources = [];
    for (const [app, range] of ranges) {
      const folder = appLogDir(dir, app);
      let r = range;
      if (!r) {
        const first = await firstPosition(folder);
        if (!first) continue;
        r = { at: first };
        ranges.set(app, r);
      }
      sources.push(scanLines(folder, app, r, live));
    }
    for await (const line of mergeByTime(sources)) {
      if (filter.until !== undefined && line.time > filter.until) return;
      yield line;
      if (options.signal?.aborted) return;
    }
    await sleep(options.pollMs ?? FOLLOW_POLL_MS, options.signal);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
