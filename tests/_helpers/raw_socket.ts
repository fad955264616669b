/**
 * A raw unix-socket connection to a daemon, for writing bytes no well-behaved client would
 * send. Replies are decoded with the protocol's own FrameReader and decodeMessage. A background
 * loop reads until the daemon closes the connection, so "closed" is observable and no read is
 * left pending when the socket is disposed (the resource sanitizer would flag it).
 */
import { decodeMessage, encodeFrame, encodeMessage, FrameReader } from "../../src/protocol/mod.ts";

/** A decoded frame from the daemon. */
export type WireFrame = Record<string, unknown>;

export class RawSocket implements AsyncDisposable {
  readonly #conn: Deno.UnixConn;
  readonly #frames: WireFrame[] = [];
  #reading: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #closedByPeer = false;
  #closedLocally = false;
  #readError: unknown = null;

  private constructor(conn: Deno.UnixConn, autoRead: boolean) {
    this.#conn = conn;
    if (autoRead) this.startReading();
  }

  /**
   * Connects to `${home}/adasa.sock`. With `autoRead: false` nothing is read until
   * startReading(): a client that does not read its replies.
   */
  static async connect(home: string, options: { autoRead?: boolean } = {}): Promise<RawSocket> {
    const conn = await Deno.connect({ transport: "unix", path: `${home}/adasa.sock` });
    return new RawSocket(conn, options.autoRead ?? true);
  }

  /** Starts the background read loop (once). */
  startReading(): void {
    this.#reading ??= this.#readLoop();
  }

  /** Whether the daemon has closed (or reset) the connection. */
  get closed(): boolean {
    return this.#closedByPeer;
  }

  /** Writes every byte. Rejects if the daemon has closed the connection meanwhile. */
  async write(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) offset += await this.#conn.write(bytes.subarray(offset));
  }

  /** Writes, ignoring a broken pipe: for payloads the daemon may refuse half-way. */
  async writeTolerant(bytes: Uint8Array): Promise<void> {
    try {
      await this.write(bytes);
    } catch (error) {
      if (
        !(error instanceof Deno.errors.BrokenPipe) &&
        !(error instanceof Deno.errors.ConnectionReset)
      ) throw error;
    }
  }

  /** Encodes `message` as one frame and writes it. */
  send(message: unknown): Promise<void> {
    return this.write(encodeFrame(encodeMessage(message)));
  }

  /**
   * The next frame from the daemon, or null when it closed the connection first.
   *
   * @throws {Error} when neither happens within `timeoutMs`
   */
  async next(timeoutMs = 10_000): Promise<WireFrame | null> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const frame = this.#frames.shift();
      if (frame) return frame;
      if (this.#closedByPeer) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No frame and no close within ${timeoutMs} ms`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
      this.#wake = null;
    }
  }

  /** Reads `count` frames; fails if the connection closes or stalls first. */
  async take(count: number, timeoutMs = 10_000): Promise<WireFrame[]> {
    const out: WireFrame[] = [];
    while (out.length < count) {
      const frame = await this.next(timeoutMs);
      if (!frame) throw new Error(`Connection closed after ${out.length} of ${count} frames`);
      out.push(frame);
    }
    return out;
  }

  /** Waits until the daemon closes the connection; returns frames that came first. */
  async waitClosed(timeoutMs = 10_000): Promise<WireFrame[]> {
    const out: WireFrame[] = [];
    while (true) {
      const frame = await this.next(timeoutMs);
      if (!frame) return out;
      out.push(frame);
    }
  }

  async #readLoop(): Promise<void> {
    const reader = new FrameReader();
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        for (const payload of reader.push(buffer.slice(0, n))) {
          this.#frames.push(decodeMessage(payload) as WireFrame);
        }
        this.#wake?.();
      }
    } catch (error) {
      // A reset after the daemon's close counts as closed; anything else is kept for dispose.
      if (!this.#closedLocally && !(error instanceof Deno.errors.ConnectionReset)) {
        this.#readError = error;
      }
    } finally {
      this.#closedByPeer = true;
      this.#wake?.();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#closedLocally = true;
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
    await this.#reading;
    if (this.#readError) throw this.#readError;
  }
}
