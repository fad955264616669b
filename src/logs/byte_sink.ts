/** The size of buffers that emptied sinks give back for the next sink that grows. */
export const POOLED_BYTES = 2 * 1024 * 1024;
/** Pooled buffers kept at most (8 MiB). */
const POOL_MAX = 4;
/**
 * Buffers of POOLED_BYTES that sinks gave back: a busy app's batch buffers are reused by the
 * next busy app instead of being left to the garbage collector, which lets a big ArrayBuffer
 * linger (and count in RSS) until a major collection that an idle daemon may never run.
 */
const pool: Uint8Array[] = [];

/** A growable byte buffer that records are framed into, then written with one call. */
export class ByteSink {
  #buf: Uint8Array;
  length = 0;

  /** Starts empty: an app that never prints should cost no buffer (100 idle apps, 0 bytes). */
  constructor(capacity = 0) {
    this.#buf = new Uint8Array(capacity);
  }

  /** The bytes written so far (a view, valid until the next write). */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.length);
  }

  get capacity(): number {
    return this.#buf.length;
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.#buf.length) return;
    let size = Math.max(this.#buf.length * 2, 4096);
    while (size < need) size *= 2;
    // Past 64 KiB a sink is busy: it takes a pooled buffer at once rather than growing by steps.
    const pooled = size >= 64 * 1024 && size <= POOLED_BYTES ? pool.pop() : undefined;
    const next = pooled ?? new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.length));
    this.#buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.#buf[this.length++] = b;
  }

  bytes(src: Uint8Array): void {
    this.reserve(src.length);
    this.#buf.set(src, this.length);
    this.length += src.length;
  }

  range(src: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    this.reserve(to - from);
    this.#buf.set(src.subarray(from, to), this.length);
    this.length += to - from;
  }

  /** Writes a non-negative integer in decimal. */
  decimal(n: number): void {
    const digits = n === 0 ? 1 : Math.floor(Math.log10(n)) + 1;
    this.reserve(digits);
    for (let i = this.length + digits - 1; i >= this.length; i--) {
      this.#buf[i] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    }
    this.length += digits;
  }

  /** Empties the buffer; gives back memory after an unusually large batch. */
  clear(keepCapacity = 256 * 1024): void {
    this.length = 0;
    if (this.#buf.length <= keepCapacity) return;
    if (this.#buf.length === POOLED_BYTES && pool.length < POOL_MAX) pool.push(this.#buf);
    this.#buf = new Uint8Array(keepCapacity);
  }
}
