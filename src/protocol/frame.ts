/**
 * Length-prefixed framing: a 4-byte big-endian unsigned length N (1 ≤ N ≤ MAX_FRAME_BYTES),
 * then N bytes of payload. Pure: no I/O, no decoding of the payload.
 */

/** The largest payload a frame may carry: 16 MiB. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** Bytes in the length prefix. */
export const HEADER_BYTES = 4;

/**
 * Prefixes a payload with its length.
 *
 * @param payload the encoded message, 1 to MAX_FRAME_BYTES bytes
 * @returns the frame bytes
 * @throws {RangeError} if the payload is empty or too large
 */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  if (payload.length < 1 || payload.length > MAX_FRAME_BYTES) {
    throw new RangeError(`Cannot frame ${payload.length} bytes: must be 1 to ${MAX_FRAME_BYTES}`);
  }
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length, false);
  out.set(payload, HEADER_BYTES);
  return out;
}

/** A frame header announced a length outside 1..MAX_FRAME_BYTES. */
export class FrameLengthError extends SyntaxError {
  override name = "FrameLengthError";
  /** The announced length. */
  readonly length: number;
  constructor(length: number, max: number) {
    super(`Frame length ${length} is outside 1..${max}`);
    this.length = length;
  }
}

/**
 * Accumulates bytes from a stream and yields complete payloads.
 * Caller must stop feeding after a FrameLengthError: the stream cannot be resynchronised.
 */
export class FrameReader {
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  readonly #max: number;

  constructor(options: { maxFrameBytes?: number } = {}) {
    this.#max = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  }

  /** Bytes received that do not yet form a complete frame. */
  get pendingBytes(): number {
    return this.#buffered;
  }

  /**
   * Adds bytes and returns every payload completed by them, in order.
   *
   * @throws {FrameLengthError} when a header announces 0 or more than the maximum
   */
  push(bytes: Uint8Array): Uint8Array[] {
    if (bytes.length > 0) {
      this.#chunks.push(bytes);
      this.#buffered += bytes.length;
    }
    const out: Uint8Array[] = [];
    while (this.#buffered >= HEADER_BYTES) {
      const header = this.#peek(HEADER_BYTES);
      const length = new DataView(header.buffer, header.byteOffset, HEADER_BYTES).getUint32(
        0,
        false,
      );
      if (length < 1 || length > this.#max) throw new FrameLengthError(length, this.#max);
      if (this.#buffered < HEADER_BYTES + length) break;
      this.#take(HEADER_BYTES);
      out.push(this.#take(length));
    }
    return out;
  }

  #peek(n: number): Uint8Array {
    const first = this.#chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    return this.#concat(n, false);
  }

  #take(n: number): Uint8Array {
    const first = this.#chunks[0]!;
    if (first.length === n) {
      this.#chunks.shift();
      this.#buffered -= n;
      return first;
    }
    if (first.length > n) {
      this.#chunks[0] = first.subarray(n);
      this.#buffered -= n;
      return first.subarray(0, n);
    }
    return this.#concat(n, true);
  }

  #concat(n: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    let i = 0;
    while (filled < n) {
      const chunk = this.#chunks[i]!;
      const part = Math.min(chunk.length, n - filled);
      out.set(chunk.subarray(0, part), filled);
      filled += part;
      if (consume) {
        if (part === chunk.length) this.#chunks.shift();
        else this.#chunks[0] = chunk.subarray(part);
      } else i++;
    }
    if (consume) this.#buffered -= n;
    return out;
  }
}
