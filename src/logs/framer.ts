/**
 * Cuts one stream's chunks into records (see format.ts), keeping the unterminated end of a line
 * between chunks. Hot path: a few indexOf/lastIndexOf calls per chunk, no per-line allocation
 * or decoding once a chunk holds more than LINE_RECORDS_MAX lines.
 */
import { ByteSink } from "./byte_sink.ts";
import { encodeRecordPrefix, LINE_RECORDS_MAX, MAX_LINE_BYTES, NL } from "./format.ts";
import type { LogStream } from "./types.ts";

const SPACE = 0x20;
const PLUS = 0x2b;
const STAR = 0x2a;

/** The framing state of one stream of one instance. */
export class LineFramer {
  readonly instanceId: number;
  readonly stream: LogStream;
  readonly #max: number;
  // Grown on demand up to #max: most streams never hold an unterminated line for long.
  #carry: Uint8Array = new Uint8Array(0);
  #carryLength = 0;
  #prefixTime = Number.NaN;
  #prefix: Uint8Array = new Uint8Array(0);

  constructor(instanceId: number, stream: LogStream, options: { maxLineBytes?: number } = {}) {
    this.instanceId = instanceId;
    this.stream = stream;
    this.#max = options.maxLineBytes ?? MAX_LINE_BYTES;
  }

  /** Bytes of an unterminated line held back, waiting for its newline. */
  get pending(): number {
    return this.#carryLength;
  }

  /** Frames `chunk`, captured at `time`, into `sink`. */
  push(chunk: Uint8Array, time: number, sink: ByteSink): void {
    let start = 0;
    if (this.#carryLength > 0) {
      const nl = chunk.indexOf(NL);
      this.#extendCarry(chunk, nl < 0 ? chunk.length : nl, time, sink);
      if (nl < 0) return;
      this.#record(sink, time, SPACE, this.#carry, 0, this.#carryLength);
      this.#carryLength = 0;
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(NL);
    if (last >= start) {
      this.#body(chunk, start, last + 1, time, sink);
      start = last + 1;
    }
    while (chunk.length - start > this.#max) {
      this.#record(sink, time, PLUS, chunk, start, start + this.#max);
      start += this.#max;
    }
    this.#carryLength = 0;
    this.#ensureCarry(chunk.length - start);
    this.#carry.set(chunk.subarray(start), 0);
    this.#carryLength = chunk.length - start;
  }

  /** Makes the carry hold at least `n` bytes (n ≤ #max), keeping what it holds. */
  #ensureCarry(n: number): void {
    if (n <= this.#carry.length) return;
    let size = Math.max(256, this.#carry.length * 2);
    while (size < n) size *= 2;
    const next = new Uint8Array(Math.min(size, this.#max));
    next.set(this.#carry.subarray(0, this.#carryLength));
    this.#carry = next;
  }

  /** Writes the unterminated last line, if any, as a whole line (the stream has ended). */
  end(time: number, sink: ByteSink): void {
    if (this.#carryLength === 0) return;
    this.#record(sink, time, SPACE, this.#carry, 0, this.#carryLength);
    this.#carryLength = 0;
  }

  /** Appends chunk[0..to) to the carry, cutting fragments off while it is too long. */
  #extendCarry(chunk: Uint8Array, to: number, time: number, sink: ByteSink): void {
    let from = 0;
    while (this.#carryLength + (to - from) > this.#max) {
      const take = this.#max - this.#carryLength;
      this.#record(sink, time, PLUS, this.#carry, 0, this.#carryLength, chunk, from, from + take);
      this.#carryLength = 0;
      from += take;
    }
    if (to > from) {
      this.#ensureCarry(this.#carryLength + (to - from));
      this.#carry.set(chunk.subarray(from, to), this.#carryLength);
      this.#carryLength += to - from;
    }
  }

  /** Complete lines in chunk[from..to); splits out lines longer than the limit. */
  #body(chunk: Uint8Array, from: number, to: number, time: number, sink: ByteSink): void {
    let run = from;
    let cursor = from;
    while (to - cursor > this.#max) {
      const nl = chunk.lastIndexOf(NL, cursor + this.#max);
      if (nl >= cursor) {
        cursor = nl + 1;
        continue;
      }
      this.#lines(chunk, run, cursor, time, sink);
      this.#record(sink, time, PLUS, chunk, cursor, cursor + this.#max);
      cursor += this.#max;
      run = cursor;
    }
    this.#lines(chunk, run, to, time, sink);
  }

  /** Complete lines of allowed length: line records when few, else one block record. */
  #lines(chunk: Uint8Array, from: number, to: number, time: number, sink: ByteSink): void {
    if (to <= from) return;
    let count = 0;
    for (let p = chunk.indexOf(NL, from); p >= 0 && p < to; p = chunk.indexOf(NL, p + 1)) {
      if (++count > LINE_RECORDS_MAX) break;
    }
    if (count > LINE_RECORDS_MAX) {
      this.#head(sink, time, STAR);
      sink.byte(SPACE);
      sink.decimal(to - from);
      sink.byte(NL);
      sink.range(chunk, from, to);
      return;
    }
    for (let p = from; p < to;) {
      const nl = chunk.indexOf(NL, p);
      this.#record(sink, time, SPACE, chunk, p, nl);
      p = nl + 1;
    }
  }

  /** One line record; the text is a[af..at) followed by b[bf..bt). */
  #record(
    sink: ByteSink,
    time: number,
    mark: number,
    a: Uint8Array,
    af: number,
    at: number,
    b?: Uint8Array,
    bf = 0,
    bt = 0,
  ): void {
    this.#head(sink, time, mark);
    if (mark !== SPACE) sink.byte(SPACE);
    sink.range(a, af, at);
    if (b) sink.range(b, bf, bt);
    sink.byte(NL);
  }

  #head(sink: ByteSink, time: number, mark: number): void {
    if (time !== this.#prefixTime) {
      this.#prefix = encodeRecordPrefix(time, this.instanceId, this.stream);
      this.#prefixTime = time;
    }
    sink.bytes(this.#prefix);
    sink.byte(mark);
  }
}
