/**
 * Reads an app's records forward from a record boundary, across segment files, decoding only the
 * lines that pass the filter. Used by the window and tail readers and by follow.
 */
import { NL, parseRecord } from "./format.ts";
import { listSegments, type Segment, segmentPath, segmentSeq } from "./paths.ts";
import type { LogLine, LogPosition, LogStream } from "./types.ts";

/** Which lines a reader wants. Bounds are inclusive, in ms since the epoch. */
export interface LogFilter {
  instanceIds?: readonly number[] | undefined;
  stream?: LogStream | undefined;
  since?: number | undefined;
  until?: number | undefined;
  /** A plain substring, or a RegExp tested against each line's text. */
  grep?: string | RegExp | undefined;
}

/** Where a scan starts and stops; `at` is moved along as records are consumed. */
export interface ScanRange {
  /** Start, updated to the position after the last whole record read. */
  at: LogPosition;
  /** Stop before this position (a record boundary); undefined reads to the end of history. */
  stop?: LogPosition;
}

const READ_SIZE = 1024 * 1024;
const decoder = new TextDecoder();

/** The position of the oldest record of an app, or null when it has no segment. */
export async function firstPosition(dir: string): Promise<LogPosition | null> {
  const first = (await listSegments(dir))[0];
  return first ? { file: first.file, byte_offset: 0 } : null;
}

/**
 * Yields the app's lines from `range.at` on, in file order (which is time order), until
 * `range.stop`, a line after `filter.until`, or the current end of the newest segment.
 */
export async function* scanLines(
  dir: string,
  app: string,
  range: ScanRange,
  filter: LogFilter,
): AsyncGenerator<LogLine> {
  for (;;) {
    // Listed before reading to EOF: a newer segment seen now means this one was complete.
    const segments = await listSegments(dir);
    const seq = segmentSeq(range.at.file);
    const index = segments.findIndex((s) => s.seq >= seq);
    if (index < 0) return;
    const segment = segments[index]!;
    if (segment.seq !== seq) range.at = { file: segment.file, byte_offset: 0 };
    if (range.stop && segmentSeq(range.stop.file) < segment.seq) return;
    if (segment.gzip) throw new TypeError(`Compressed segment ${segment.file} cannot be read`);
    const ended = yield* scanFile(segmentPath(dir, segment), app, range, filter);
    const next = segments[index + 1];
    if (ended || !next) return;
    range.at = { file: next.file, byte_offset: 0 };
  }
}

/** Scans one file from range.at; returns true when the scan is over (stop or until reached). */
async function* scanFile(
  path: string,
  app: string,
  range: ScanRange,
  filter: LogFilter,
): AsyncGenerator<LogLine, boolean> {
  using file = await openAt(path, range.at.byte_offset);
  if (!file) return false;
  const stop = range.stop?.file === range.at.file ? range.stop.byte_offset : Infinity;
  let buf: Uint8Array = new Uint8Array(READ_SIZE);
  let have = 0;
  let base = range.at.byte_offset;
  for (;;) {
    if (have === buf.length) buf = grow(buf);
    const n = await file.read(buf.subarray(have));
    if (n === null) return base >= stop;
    have += n;
    let at = 0;
    while (at < have && base + at < stop) {
      const record = parseRecord(buf, at, have);
      if (record === null) break;
      if (record === undefined) {
        const nl = buf.indexOf(NL, at);
        if (nl < 0 || nl >= have) break;
        at = nl + 1; // resync after a torn or foreign line
        continue;
      }
      if (filter.until !== undefined && record.time > filter.until) return true;
      if (wanted(record, filter)) yield* linesOf(buf, record, app, filter);
      at = record.end;
    }
    buf.copyWithin(0, at, have);
    have -= at;
    base += at;
    range.at = { file: range.at.file, byte_offset: base };
    if (base >= stop) return true;
  }
}

async function openAt(path: string, offset: number): Promise<Deno.FsFile | null> {
  try {
    const file = await Deno.open(path, { read: true });
    await file.seek(offset, Deno.SeekMode.Start);
    return file;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null; // deleted meanwhile
    throw error;
  }
}

function grow(buf: Uint8Array): Uint8Array {
  const next = new Uint8Array(buf.length * 2);
  next.set(buf);
  return next;
}

function wanted(
  record: { time: number; instance_id: number; stream: LogStream },
  filter: LogFilter,
): boolean {
  if (filter.since !== undefined && record.time < filter.since) return false;
  if (filter.stream !== undefined && record.stream !== filter.stream) return false;
  return filter.instanceIds === undefined || filter.instanceIds.includes(record.instance_id);
}

function* linesOf(
  buf: Uint8Array,
  record: ReturnType<typeof parseRecord> & object,
  app: string,
  filter: LogFilter,
): Generator<LogLine> {
  const partial = record.kind === "fragment";
  for (let p = record.body; p < record.end;) {
    const nl = buf.indexOf(NL, p);
    const end = nl < 0 || nl >= record.end ? record.end : nl;
    const text = decoder.decode(buf.subarray(p, end));
    p = end + 1;
    if (!matches(text, filter.grep)) continue;
    yield {
      time: record.time,
      app,
      instance_id: record.instance_id,
      stream: record.stream,
      text,
      partial,
    };
  }
}

function matches(text: string, grep: string | RegExp | undefined): boolean {
  if (grep === undefined) return true;
  if (typeof grep === "string") return text.includes(grep);
  grep.lastIndex = 0;
  return grep.test(text);
}

export type { Segment };
