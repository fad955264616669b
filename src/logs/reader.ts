/**
 * `adasa logs` without --follow: lines of several apps in a time window, merged in time order
 * (the last N lines are tail.ts). The index is asked where to start, so a `--since` read seeks instead of
 * scanning; data written after the last index flush is still read (the scan goes to EOF).
 */
import { appLogDir } from "./paths.ts";
import { firstPosition, type LogFilter, scanLines } from "./scan.ts";
import type { LogLine, LogPosition } from "./types.ts";

/** The index lookups a reader needs; `LogIndexStatements` of src/store provides them. */
export interface LogIndexLookup {
  /** The earliest record boundary from which all lines at or after `since` can be read. */
  startAt(app: string, since: number): LogPosition | null;
  /** Record boundaries before `before` (or the newest ones), newest first, at most `limit`. */
  boundariesBefore(app: string, before: LogPosition | null, limit: number): LogPosition[];
}

/** What to read: the apps holding the targets, and which of their lines. */
export interface LogQuery extends LogFilter {
  apps: readonly string[];
}

/** Where each app's history ended when a read finished: the start of a follow. */
export type FollowCursor = Map<string, LogPosition | null>;

/**
 * Yields the lines of `query.apps` in [since, until], merged in time order. When `cursor` is
 * given, it receives each app's end position for a following `followLogs`.
 */
export async function* readLogs(
  dir: string,
  index: LogIndexLookup,
  query: LogQuery & { cursor?: FollowCursor },
): AsyncGenerator<LogLine> {
  const sources = await Promise.all(query.apps.map(async (app) => {
    const folder = appLogDir(dir, app);
    const start = await startOf(folder, app, index, query.since);
    if (!start) {
      query.cursor?.set(app, null);
      return emptyLines();
    }
    const range = { at: start };
    return withCursor(scanLines(folder, app, range, query), () => query.cursor?.set(app, range.at));
  }));
  yield* mergeByTime(sources);
}

async function startOf(
  folder: string,
  app: string,
  index: LogIndexLookup,
  since: number | undefined,
): Promise<LogPosition | null> {
  if (since !== undefined) {
    const at = index.startAt(app, since) ?? index.boundariesBefore(app, null, 1)[0];
    if (at) return at;
  }
  return await firstPosition(folder);
}

async function* emptyLines(): AsyncGenerator<LogLine> {}

async function* withCursor(
  lines: AsyncGenerator<LogLine>,
  done: () => void,
): AsyncGenerator<LogLine> {
  yield* lines;
  done();
}

/** Merges time-ordered sources into one time-ordered sequence, lazily (bounded memory). */
export async function* mergeByTime(sources: AsyncGenerator<LogLine>[]): AsyncGenerator<LogLine> {
  try {
    const heads = await Promise.all(sources.map((s) => s.next()));
    for (;;) {
      let pick = -1;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i]!;
        if (head.done) continue;
        if (pick < 0 || head.value.time < (heads[pick]!.value as LogLine).time) pick = i;
      }
      if (pick < 0) return;
      yield heads[pick]!.value as LogLine;
      heads[pick] = await sources[pick]!.next();
    }
  } finally {
    // A consumer that stops early must not leave the sources' files open.
    await Promise.all(sources.map((s) => s.return(undefined)));
  }
}
