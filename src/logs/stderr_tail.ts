/**
 * The last lines of an instance's stderr, kept in memory for the `exited` event and `describe`.
 * Only the end of each chunk is looked at, so the cost per chunk is bounded whatever its size.
 */
import { NL } from "./format.ts";

/** Lines kept per instance. */
export const STDERR_TAIL_LINES = 20;
/** Bytes kept of each line; the rest of a longer line is dropped (the file has it whole). */
export const STDERR_TAIL_LINE_BYTES = 1024;

const decoder = new TextDecoder();

/** A ring of the last STDERR_TAIL_LINES stderr lines of one instance. */
export class StderrTail {
  readonly #lines: Uint8Array[] = [];
  #partial = new Uint8Array(STDERR_TAIL_LINE_BYTES);
  #partialLength = 0;

  /** Takes in a raw stderr chunk. */
  push(chunk: Uint8Array): void {
    // Start after the newline that precedes the last STDERR_TAIL_LINES complete lines.
    let start = 0;
    let seen = 0;
    for (let p = chunk.lastIndexOf(NL); p >= 0; p = p > 0 ? chunk.lastIndexOf(NL, p - 1) : -1) {
      if (++seen > STDERR_TAIL_LINES) {
        start = p + 1;
        this.#partialLength = 0; // its line ended before the lines we keep
        break;
      }
    }
    for (let p = start; p < chunk.length;) {
      const nl = chunk.indexOf(NL, p);
      const end = nl < 0 ? chunk.length : nl;
      this.#appendPartial(chunk, p, end);
      if (nl < 0) return;
      this.#pushLine();
      p = nl + 1;
    }
  }

  /** The stream ended: its unterminated last line counts as a line. */
  end(): void {
    if (this.#partialLength > 0) this.#pushLine();
  }

  /** The kept lines, oldest first, decoded (invalid UTF-8 becomes U+FFFD). */
  lines(): string[] {
    const out = this.#lines.map((line) => decoder.decode(line));
    if (this.#partialLength > 0) {
      out.push(decoder.decode(this.#partial.subarray(0, this.#partialLength)));
    }
    return out.slice(-STDERR_TAIL_LINES);
  }

  #appendPartial(chunk: Uint8Array, from: number, to: number): void {
    const room = STDERR_TAIL_LINE_BYTES - this.#partialLength;
    const n = Math.min(room, to - from);
    if (n <= 0) return;
    this.#partial.set(chunk.subarray(from, from + n), this.#partialLength);
    this.#partialLength += n;
  }

  #pushLine(): void {
    this.#lines.push(this.#partial.slice(0, this.#partialLength));
    if (this.#lines.length > STDERR_TAIL_LINES) this.#lines.shift();
    this.#partialLength = 0;
  }
}
