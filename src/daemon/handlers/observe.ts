/** Ops that read what instances did: logs (a stream), flush, stats. */
import { AdasaError, type OpArgs, type OpEvent } from "../../protocol/mod.ts";
import {
  type FollowCursor,
  followLogs,
  type LineTest,
  type LogLine,
  readLogs,
  RegexLineTest,
  substringTest,
  tailLogs,
} from "../../logs/mod.ts";
import type { DaemonContext } from "../context.ts";
import type { Handlers } from "./_types.ts";

const DEFAULT_TAIL_LINES = 15;
const LINES_PER_FRAME = 500;
/** Text per frame, so 500 lines of 64 KiB cannot exceed the 16 MiB frame limit. */
const TEXT_PER_FRAME = 4 * 1024 * 1024;
const MAX_GREP_LENGTH = 1_000;
const MAX_STATS_POINTS = 50_000;

interface Selection {
  apps: string[];
  instanceIds?: number[];
}

/** Targets to apps and, when ids were named, instance ids. No targets means every app. */
function select(ctx: DaemonContext, args: { targets?: string[] }): Selection {
  const targets = args.targets ?? [];
  if (targets.length === 0 || targets.includes("all")) {
    return { apps: ctx.supervisor.apps().map((a) => a.spec.name) };
  }
  const instances = ctx.supervisor.resolve(targets);
  const apps = [...new Set(instances.map((i) => i.spec.name))];
  const namedIds = targets.some((t) => /^\d+$/.test(t));
  return namedIds ? { apps, instanceIds: instances.map((i) => i.id) } : { apps };
}

/** The grep test; a regex runs in a child process (the caller disposes `owned` at the end). */
function grepOf(args: OpArgs<"logs">): { test?: LineTest; owned?: AsyncDisposable } {
  const { grep } = args;
  if (grep === undefined) return {};
  if (grep.length > MAX_GREP_LENGTH) {
    throw new AdasaError("INVALID_ARGUMENT", `--grep is longer than ${MAX_GREP_LENGTH} characters`);
  }
  const ignoreCase = args.ignore_case ?? false;
  if (!args.regex) return { test: substringTest(grep, { ignoreCase }) };
  const regex = new RegexLineTest(grep, { ignoreCase });
  return { test: regex.test, owned: regex };
}

async function* inFrames(
  lines: AsyncIterable<LogLine> | LogLine[],
): AsyncGenerator<OpEvent<"logs">> {
  let batch: LogLine[] = [];
  let text = 0;
  for await (const line of lines) {
    batch.push(line);
    text += line.text.length;
    if (batch.length >= LINES_PER_FRAME || text >= TEXT_PER_FRAME) {
      yield { event: "lines", data: batch };
      batch = [];
      text = 0;
    }
  }
  if (batch.length) yield { event: "lines", data: batch };
}

async function* streamLogs(
  ctx: DaemonContext,
  args: OpArgs<"logs">,
  signal: AbortSignal,
): AsyncGenerator<OpEvent<"logs">> {
  const selection = select(ctx, args);
  const { since, until, lines, stream } = args;
  const grep = grepOf(args);
  await using _regex = grep.owned;
  const filter = {
    ...(selection.instanceIds ? { instanceIds: selection.instanceIds } : {}),
    stream,
    since,
    until,
    grep: grep.test,
  };
  const dir = ctx.paths.logsDir;
  ctx.logs.flushIndex();
  let cursor: FollowCursor;
  // --lines means the last N lines, of the window when one is given (as `adasa logs --help`).
  if (lines !== undefined || (since === undefined && until === undefined)) {
    const tail = await tailLogs(dir, ctx.store.logIndex, {
      apps: selection.apps,
      ...filter,
      lines: lines ?? DEFAULT_TAIL_LINES,
    });
    cursor = tail.cursor;
    yield* inFrames(tail.lines);
  } else {
    cursor = new Map();
    const read = readLogs(dir, ctx.store.logIndex, { apps: selection.apps, ...filter, cursor });
    yield* inFrames(read);
  }
  if (!args.follow) return;
  yield { event: "lines", data: [] }; // the history is done: a client may say it was empty
  for await (const line of followLogs(dir, cursor, filter, { signal })) {
    yield { event: "lines", data: [line] };
  }
}

export function observeHandlers(ctx: DaemonContext): Handlers<"logs" | "flush" | "stats"> {
  return {
    logs: { kind: "stream", run: (args, req) => streamLogs(ctx, args, req.signal) },
    flush: {
      kind: "unary",
      run: async (args) => {
        const { apps } = select(ctx, args);
        for (const app of apps) await ctx.logs.capture.flush(app);
        ctx.logs.flushIndex();
        return { apps };
      },
    },
    stats: {
      kind: "unary",
      run: (args) => {
        const { apps, instanceIds } = select(ctx, args);
        const now = Date.now();
        const since = args.since ?? now - 3_600_000;
        const until = args.until ?? now;
        if (since > until) throw new AdasaError("INVALID_ARGUMENT", "--since is after --until");
        const query = instanceIds ? { instanceIds, since, until } : { apps, since, until };
        // Points for all instances together stay under MAX_STATS_POINTS, so a reply of many
        // apps fits in one frame (16 MiB): asking for more gives coarser buckets.
        const instances = instanceIds?.length ??
          ctx.supervisor.list().filter((i) => apps.includes(i.name)).length;
        const wanted = args.max_points ?? 120;
        const maxPoints = Math.max(
          1,
          Math.min(wanted, Math.floor(MAX_STATS_POINTS / Math.max(1, instances))),
        );
        return {
          since,
          until,
          ...ctx.store.stats.query({ ...query, maxPoints }),
          summary: ctx.store.stats.summary(query),
        };
      },
    },
  };
}
