/**
 * Reads an app's records forward from a record boundary, across segment files, one read buffer
 * at a time. Lines are decoded only when they are wanted; counting without a grep decodes
 * nothing. Used by the window and tail readers and by follow.
 */
import { NL, parseRecord, type RecordHeader } from "./format.ts";
import { type LineTest, lineTestOf } from "./grep.ts";
import { listSegments, type Segment, segmentPath, segmentSeq } from "./paths.ts";
import type { LogLine, LogPosition, LogStream } from "./types.ts";

/** Which lines a reader wants. Bounds are inclusive, in ms since the epoch. */
export interface LogFilter {
  instanceIds?: readonly number[] | undefined;
  stream?: LogStream | undefined;
  since?: number | undefined;
  until?: number | undefined;
  /** A plain substring, a RegExp (trusted callers only), or a batch test (user patterns). */
  grep?: string | RegExp | LineTest | undefined;
}

/** Where a scan starts and stops; `at` is moved along as records are consumed. */
export interface ScanRange {
  /** Start, updated to the position after the last whole record read. */
  at: LogPosition;
  /** Stop before this position (a record boundary); undefined reads to the end of history. */
  stop?: LogPosition;
}

/** The wanted records of one read buffer; valid until the generator is resumed. */
interface Batch {
  buf: Uint8Array;
  records: RecordHeader[];
}

/**
 * One read buffer, processed in one turn of the event loop: small enough that a concurrent
 * request waits little per turn, even when the daemon gets a fraction of a core (1 MiB turns
 * let a ping wait 100+ ms on a busy box). A bigger record grows the buffer as needed.
 */
const READ_SIZE = 64 * 1024;
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
  const test = lineTestOf(filter.grep);
  for await (const batch of walk(dir, range, filter)) {
    if (!mayMatch(test, batch)) continue;
    const lines: LogLine[] = [];
    for (const record of batch.records) decodeInto(lines, batch.buf, record, app);
    if (!test) {
      yield* lines;
      continue;
    }
    const keep = await test(lines.map((l) => l.text));
    for (let i = 0; i < lines.length; i++) if (keep[i]) yield lines[i]!;
  }
}

/**
 * Counts the lines `scanLines` would yield for the same range and filter, and tells whether a
 * record older than `filter.since` was passed over. Without a grep nothing is decoded.
 */
export async function countLines(
  dir: string,
  range: ScanRange,
  filter: LogFilter,
): Promise<{ count: number; beforeSince: boolean }> {
  const test = lineTestOf(filter.grep);
  let count = 0;
  let beforeSince = false;
  for await (const batch of walk(dir, range, { ...filter, since: undefined })) {
    const since = filter.since;
    const records = since === undefined ? batch.records : batch.records.filter((r) => {
      if (r.time >= since) return true;
      beforeSince = true;
      return false;
    });
    if (!test) {
      for (const record of records) count += lineCount(batch.buf, record);
      continue;
    }
    if (records.length === 0 || !mayMatch(test, { buf: batch.buf, records })) continue;
    const lines: LogLine[] = [];
    for (const record of records) decodeInto(lines, batch.buf, record, "");
    for (const keep of await test(lines.map((l) => l.text))) if (keep) count++;
  }
  return { count, beforeSince };
}

/** The wanted records of every read buffer from range.at, across segments. */
async function* walk(dir: string, range: ScanRange, filter: LogFilter): AsyncGenerator<Batch> {
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
    const ended = yield* walkFile(segmentPath(dir, segment), range, filter);
    const next = segments[index + 1];
    if (ended || !next) return;
    range.at = { file: next.file, byte_offset: 0 };
  }
}

/** Walks one file from range.at; returns true when the scan is over (stop or until reached). */
async function* walkFile(
  path: string,
  range: ScanRange,
  filter: LogFilter,
): AsyncGenerator<Batch, boolean> {
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
    let ended = false;
    const records: RecordHeader[] = [];
    while (at < have && base + at < stop) {
      const record = parseRecord(buf, at, have);
      if (record === null) break;
      if (record === undefined) {
        const nl = buf.indexOf(NL, at);
        if (nl < 0 || nl >= have) break;
        at = nl + 1; // resync after a torn or foreign line
        continue;
      }
      if (filter.until !== undefined && record.time > filter.until) {
        ended = true;
        break;
      }
      if (wanted(record, filter)) records.push(record);
      at = record.end;
    }
    if (records.length > 0) yield { buf, records };
    buf.copyWithin(0, at, have);
    have -= at;
    base += at;
    range.at = { file: range.at.file, byte_offset: base };
    if (ended || base >= stop) return true;
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

function wanted(record: RecordHeader, filter: LogFilter): boolean {
  if (filter.since !== undefined && record.time < filter.since) return false;
  if (filter.stream !== undefined && record.stream !== filter.stream) return false;
  return filter.instanceIds === undefined || filter.instanceIds.includes(record.instance_id);
}

/** Lines in a record: one for a line or fragment, the newlines of a block. */
function lineCount(buf: Uint8Array, record: RecordHeader): number {
  if (record.kind !== "block") return 1;
  let n = 0;
  for (let p = buf.indexOf(NL, record.body); p >= 0 && p < record.end; p = buf.indexOf(NL, p + 1)) {
    n++;
  }
  return n;
}

/**
 * A block is decoded as one string and split: a newline byte never occurs inside a UTF-8
 * sequence, so this gives the same texts as decoding line by line, several times faster.
 */
function decodeInto(out: LogLine[], buf: Uint8Array, record: RecordHeader, app: string): void {
  const end = buf[record.end - 1] === NL ? record.end - 1 : record.end;
  const body = decoder.decode(buf.subarray(Math.min(record.body, end), end));
  const texts = record.kind === "block" ? body.split("\n") : [body];
  const partial = record.kind === "fragment";
  for (const text of texts) {
    out.push({
      time: record.time,
      app,
      instance_id: record.instance_id,
      stream: record.stream,
      text,
      partial,
    });
  }
}

/** False when no line of the batch can match (one search over its text instead of one a line). */
function mayMatch(test: LineTest | undefined, batch: Batch): boolean {
  if (!test?.within) return true;
  const first = batch.records[0]!, last = batch.records.at(-1)!;
  return test.within(decoder.decode(batch.buf.subarray(first.body, last.end)));
}

export type { Segment };
