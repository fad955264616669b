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
    const next = new Uint8Array(size);
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
    if (this.#buf.length > keepCapacity) this.#buf = new Uint8Array(keepCapacity);
  }
}
