/**
 * @module
 * The typed client of the Adasa daemon: what the `adasa` CLI uses, and what other Deno and
 * TypeScript programs import to drive the daemon (as pm2's programmatic API is used).
 * One connection carries many requests, pipelined; streams end with an `end` frame.
 *
 * @example
 * ```ts
 * import { AdasaClient } from "./client.ts";
 * await using client = await AdasaClient.connect();
 * const apps = await client.request("list"); // InstanceInfo[]
 * ```
 */
// Single files rather than protocol/mod.ts: the CLI loads this module at start, and the rest of
// the protocol (app definitions, time and size parsing) would only cost it start-up time.
import { AdasaError, isErrorCode } from "../protocol/errors.ts";
import { encodeFrame, FrameLengthError, FrameReader } from "../protocol/frame.ts";
import { decodeMessage, encodeMessage, REPLY_LIMITS } from "../protocol/codec.ts";
import { PROTOCOL_VERSION } from "../protocol/messages.ts";
import type {
  ExactArgs,
  NoArgsOp,
  OpArgs,
  OpEvent,
  OpReply,
  StreamOp,
  UnaryOp,
} from "../protocol/ops.ts";
import { isPlainObject } from "../protocol/validate.ts";
import { resolveHome, socketPath } from "./paths.ts";

export { AdasaError, resolveHome, socketPath };

interface Pending {
  resolve(data: unknown): void;
  reject(error: Error): void;
  onEvent?(event: string, data: unknown): void;
}

/** One connection to a daemon. Dispose (or `close()`) when done. */
export class AdasaClient implements AsyncDisposable {
  readonly #conn: Deno.UnixConn;
  readonly #pending = new Map<number, Pending>();
  readonly #reading: Promise<void>;
  #nextId = 1;
  #closed = false;
  #closeReason: AdasaError | null = null;

  private constructor(conn: Deno.UnixConn) {
    this.#conn = conn;
    this.#reading = this.#readLoop();
  }

  /**
   * Connects to the daemon of `home` (default: `$ADASA_HOME` or `~/.adasa`).
   *
   * @throws {AdasaError} UNAVAILABLE when nothing answers on the socket
   */
  static async connect(options: { home?: string; path?: string } = {}): Promise<AdasaClient> {
    const path = options.path ?? socketPath(options.home ?? resolveHome());
    try {
      return new AdasaClient(await Deno.connect({ transport: "unix", path }));
    } catch (error) {
      throw new AdasaError("UNAVAILABLE", `Daemon not reachable at ${path}`, { cause: error });
    }
  }

  /**
   * Sends one request and waits for its reply, whose type the protocol's OpMap gives for the
   * op and the form of its arguments.
   *
   * @throws {AdasaError} with the daemon's code when the reply is an error
   */
  request<K extends NoArgsOp>(op: K): Promise<OpReply<K>>;
  request<K extends UnaryOp, A extends OpArgs<K>>(
    op: K,
    args: ExactArgs<K, A>,
  ): Promise<OpReply<K, A>>;
  request(op: UnaryOp, args: Record<string, unknown> = {}): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const id = this.#send(op, args, { resolve, reject });
      if (id < 0) reject(new AdasaError("UNAVAILABLE", "Connection to the daemon is closed"));
    });
  }

  /**
   * Starts a streaming op and yields its events until the daemon ends the stream.
   * Breaking out of the loop closes the connection, which cancels the stream on the daemon.
   */
  stream<K extends StreamOp, A extends OpArgs<K>>(
    op: K,
    args: ExactArgs<K, A>,
  ): AsyncGenerator<OpEvent<K>> {
    return this.#stream(op, args) as AsyncGenerator<OpEvent<K>>;
  }

  // The events are the daemon's: their shape is the op's by the protocol, not checked here.
  async *#stream(
    op: StreamOp,
    args: Record<string, unknown>,
  ): AsyncGenerator<{ event: string; data: unknown }> {
    const queue: Array<{ event: string; data: unknown }> = [];
    let wake: (() => void) | null = null;
    let finished = false;
    let failure: Error | null = null;
    const id = this.#send(op, args, {
      resolve: () => {
        finished = true;
        wake?.();
      },
      reject: (error) => {
        failure = error;
        wake?.();
      },
      onEvent: (event, data) => {
        queue.push({ event, data });
        wake?.();
      },
    });
    if (id < 0) throw new AdasaError("UNAVAILABLE", "Connection to the daemon is closed");
    try {
      while (true) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (failure) throw failure;
        if (finished) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    } finally {
      if (!finished && !failure) this.close();
    }
  }

  /** Closes the connection; pending requests fail with UNAVAILABLE. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.#reading;
  }

  #send(op: string, args: Record<string, unknown>, pending: Pending): number {
    if (this.#closed) return -1;
    const id = this.#nextId++;
    this.#pending.set(id, pending);
    // accept "json": the reply's data comes as JSON text, which V8 parses natively (Request).
    const request = { v: PROTOCOL_VERSION, id, op, args, accept: "json" };
    const bytes = encodeFrame(encodeMessage(request));
    this.#write(bytes).catch((error) => {
      // A write fails when the daemon has closed: the read loop ends on that close and rejects
      // every pending request, with the daemon's reason when it sent one; this is a fallback.
      const lost = new AdasaError("UNAVAILABLE", "Lost the connection to the daemon", {
        cause: error,
      });
      this.#reading.then(() => pending.reject(this.#closeReason ?? lost));
    });
    return id;
  }

  #writeChain: Promise<void> = Promise.resolve();
  #write(bytes: Uint8Array): Promise<void> {
    // A failed write was reported to its own request; the next one still gets its turn.
    this.#writeChain = this.#writeChain.catch(() => {}).then(async () => {
      let offset = 0;
      while (offset < bytes.length) offset += await this.#conn.write(bytes.subarray(offset));
    });
    return this.#writeChain;
  }

  async #readLoop(): Promise<void> {
    const reader = new FrameReader();
    const buffer = new Uint8Array(64 * 1024);
    let failure = new AdasaError("UNAVAILABLE", "The daemon closed the connection");
    try {
      while (true) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        for (const payload of reader.push(buffer.slice(0, n))) {
          this.#receive(decodeMessage(payload, REPLY_LIMITS));
        }
      }
    } catch (error) {
      failure = this.#readFailure(error);
    } finally {
      this.#closed = true;
      for (const pending of this.#pending.values()) pending.reject(this.#closeReason ?? failure);
      this.#pending.clear();
      try {
        this.#conn.close();
      } catch {
        // already closed
      }
    }
  }

  /** Why reading stopped: a reply that cannot be read is not a closed connection. */
  #readFailure(error: unknown): AdasaError {
    if (error instanceof FrameLengthError) {
      const code = error.length > 0 ? "FRAME_TOO_LARGE" : "MALFORMED_FRAME";
      return new AdasaError(code, `Unreadable reply from the daemon: ${error.message}`, {
        cause: error,
      });
    }
    if (error instanceof SyntaxError) {
      return new AdasaError(
        "MALFORMED_FRAME",
        `Unreadable reply from the daemon: ${error.message}`,
        {
          cause: error,
        },
      );
    }
    const why = this.#closed
      ? "Connection to the daemon is closed"
      : "Lost the connection to the daemon";
    return new AdasaError("UNAVAILABLE", why, { cause: error });
  }

  #receive(frame: unknown): void {
    if (!isPlainObject(frame) || typeof frame.id !== "number") return;
    if (frame.id === 0 && frame.ok === false) {
      // Our ids start at 1: id 0 is the daemon saying why it closes the connection (too many
      // connections, idle, a frame it refused); the pending requests fail with that reason.
      this.#closeReason = errorOf(frame.error);
      return;
    }
    const pending = this.#pending.get(frame.id);
    if (!pending) return;
    if (typeof frame.event === "string") {
      pending.onEvent?.(frame.event, frame.data);
      return;
    }
    this.#pending.delete(frame.id);
    if (frame.ok === true) {
      if (typeof frame.json !== "string") return pending.resolve(frame.data);
      try {
        pending.resolve(JSON.parse(frame.json));
      } catch (error) {
        const why = `Unreadable reply from the daemon: ${(error as Error).message}`;
        pending.reject(new AdasaError("MALFORMED_FRAME", why, { cause: error }));
      }
      return;
    }
    pending.reject(errorOf(frame.error));
  }
}

function errorOf(value: unknown): AdasaError {
  const error = isPlainObject(value) ? value : {};
  const code = isErrorCode(error.code) ? error.code : "INTERNAL";
  const message = typeof error.message === "string" ? error.message : "Unknown error";
  return new AdasaError(code, message);
}
