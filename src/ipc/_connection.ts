/**
 * One client connection of the server: reads frames, admits requests, writes replies.
 * Requests run concurrently (pipelining) and writes are serialised so frames never interleave.
 * What one connection may hold is bounded (#16.4): at most `maxInFlight` requests run at once,
 * and no new request is admitted while `maxQueuedBytes` of replies wait for the peer to read
 * them, so a client that pipelines requests and never reads stops being read, and the kernel's
 * socket buffers push back on it instead of the daemon's heap.
 */
import {
  AdasaError,
  decodeMessage,
  encodeFrame,
  encodeMessage,
  FrameLengthError,
  FrameReader,
  parseRequest,
  type Request,
  REQUEST_LIMITS,
  requestIdOf,
  type ServerFrame,
} from "../protocol/mod.ts";
import type { RequestContext, ServerOptions } from "./server.ts";

/** The limits one connection applies, resolved from ServerOptions and their defaults. */
export interface ConnectionLimits {
  maxFrameBytes: number;
  partialFrameTimeoutMs: number;
  maxInFlight: number;
  maxQueuedBytes: number;
}

/** Reads start small, so an idle connection costs little, and grow while they fill it. */
const READ_BUFFER_MIN_BYTES = 4 * 1024;
const READ_BUFFER_MAX_BYTES = 64 * 1024;

export class Connection {
  readonly done: Promise<void>;
  readonly #conn: Deno.UnixConn;
  readonly #options: ServerOptions;
  readonly #limits: ConnectionLimits;
  readonly #abort = new AbortController();
  readonly #reader: FrameReader;
  #writeChain: Promise<void> = Promise.resolve();
  #inFlight = 0;
  #queuedBytes = 0;
  #wakeAdmission: (() => void) | null = null;
  #closed = false;
  /** performance.now() of the last byte read or written: the server's idle sweep reads it. */
  #lastActivity = performance.now();

  constructor(conn: Deno.UnixConn, options: ServerOptions, limits: ConnectionLimits) {
    this.#conn = conn;
    this.#options = options;
    this.#limits = limits;
    this.#reader = new FrameReader({ maxFrameBytes: limits.maxFrameBytes });
    this.done = this.#readLoop();
  }

  /**
   * Milliseconds without a byte read or written while the connection waits on its peer (no
   * request running, or replies queued that the peer does not read); 0 while a request runs.
   */
  idleFor(now: number): number {
    if (this.#inFlight > 0 && this.#queuedBytes === 0) return 0;
    return now - this.#lastActivity;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    this.#wake();
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  /**
   * Closes for the server's own reason (idle): with one error frame (id 0) when nothing is
   * queued, or at once when the peer is not reading what is.
   */
  async refuse(error: AdasaError): Promise<void> {
    if (this.#queuedBytes > 0) this.close();
    else await this.#fail(0, error);
  }

  #wake(): void {
    const wake = this.#wakeAdmission;
    this.#wakeAdmission = null;
    wake?.();
  }

  async #readLoop(): Promise<void> {
    let buffer = new Uint8Array(READ_BUFFER_MIN_BYTES);
    const timeoutMs = this.#limits.partialFrameTimeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      while (!this.#closed) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        this.#lastActivity = performance.now();
        const chunk = buffer.slice(0, n);
        if (n === buffer.length && buffer.length < READ_BUFFER_MAX_BYTES) {
          buffer = new Uint8Array(buffer.length * 4);
        }
        let payloads: Uint8Array[];
        try {
          payloads = this.#reader.push(chunk);
        } catch (error) {
          if (!(error instanceof FrameLengthError)) throw error;
          const code = error.length === 0 ? "MALFORMED_FRAME" : "FRAME_TOO_LARGE";
          await this.#fail(0, new AdasaError(code, error.message));
          break;
        }
        if (payloads.length > 0 || this.#reader.pendingBytes === 0) {
          // A completed frame is progress: the timer measures how long ONE frame stays
          // incomplete, so a busy pipelined stream that never drains to a frame boundary lives.
          // It is off while admission waits on this side (the peer not reading its replies).
          clearTimeout(timer);
          timer = undefined;
        }
        for (const payload of payloads) {
          await this.#admission();
          if (this.#closed || !this.#accept(payload)) return;
        }
        if (this.#reader.pendingBytes > 0 && timer === undefined) {
          // A half-sent frame may not hold the connection open for ever, trickled or not.
          timer = setTimeout(() => {
            this.#fail(
              0,
              new AdasaError("MALFORMED_FRAME", `Frame incomplete after ${timeoutMs} ms`),
            );
          }, timeoutMs);
        }
      }
    } catch {
      // Connection reset by the peer: nothing to answer.
    } finally {
      clearTimeout(timer);
      await this.#writeChain;
      this.close();
    }
  }

  /** Resolves when another request may start: few enough running and few enough bytes queued. */
  async #admission(): Promise<void> {
    while (!this.#closed) {
      const busy = this.#inFlight >= this.#limits.maxInFlight ||
        this.#queuedBytes >= this.#limits.maxQueuedBytes;
      if (!busy) return;
      await new Promise<void>((resolve) => (this.#wakeAdmission = resolve));
    }
  }

  /** Handles one payload. Returns false when the connection must close. */
  #accept(payload: Uint8Array): boolean {
    let decoded: unknown;
    try {
      decoded = decodeMessage(payload, REQUEST_LIMITS);
    } catch (error) {
      this.#fail(0, new AdasaError("MALFORMED_FRAME", (error as Error).message));
      return false;
    }
    let request: Request;
    try {
      request = parseRequest(decoded);
    } catch (error) {
      this.#send({ id: requestIdOf(decoded), ok: false, error: toWireError(error) });
      return true;
    }
    this.#inFlight++;
    this.#dispatch(request).finally(() => {
      this.#inFlight--;
      this.#wake();
    });
    return true;
  }

  async #dispatch(request: Request): Promise<void> {
    const handler = Object.hasOwn(this.#options.ops, request.op)
      ? this.#options.ops[request.op]
      : undefined;
    if (!handler) {
      await this.#send({
        id: request.id,
        ok: false,
        error: { code: "UNKNOWN_OP", message: `Unknown op "${request.op.slice(0, 64)}"` },
      });
      return;
    }
    const ctx: RequestContext = { signal: this.#abort.signal, request };
    try {
      if (handler.kind === "unary") {
        const data = (await handler.run(request.args, ctx)) ?? null;
        await this.#send(
          request.accept === "json"
            ? { id: request.id, ok: true, json: JSON.stringify(data) }
            : { id: request.id, ok: true, data },
        );
      } else {
        for await (const item of handler.run(request.args, ctx)) {
          if (this.#closed) return;
          // Awaiting the write is the stream's backpressure: a peer that does not read stalls
          // its own stream, not the daemon's memory.
          await this.#send({ id: request.id, event: item.event, data: item.data });
        }
        await this.#send({ id: request.id, ok: true, data: null, end: true });
      }
    } catch (error) {
      if (!(error instanceof AdasaError)) this.#options.onInternalError(error, request);
      await this.#send({ id: request.id, ok: false, error: toWireError(error) });
    }
  }

  async #fail(id: number, error: AdasaError): Promise<void> {
    await this.#send({ id, ok: false, error: toWireError(error) });
    this.close();
  }

  #send(frame: ServerFrame): Promise<void> {
    if (this.#closed) return Promise.resolve();
    let bytes: Uint8Array;
    try {
      bytes = encodeFrame(encodeMessage(frame));
    } catch (error) {
      const id = "id" in frame ? frame.id : 0;
      bytes = encodeFrame(encodeMessage({
        id,
        ok: false,
        error: {
          code: "INTERNAL",
          message: `Reply could not be encoded: ${(error as Error).message}`,
        },
      }));
    }
    this.#queuedBytes += bytes.length;
    this.#writeChain = this.#writeChain.then(() => this.#writeAll(bytes));
    return this.#writeChain;
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    try {
      while (offset < bytes.length && !this.#closed) {
        const n = await this.#conn.write(bytes.subarray(offset));
        offset += n;
        this.#queuedBytes -= n;
        this.#lastActivity = performance.now();
      }
    } catch {
      this.close(); // the peer went away
    } finally {
      this.#queuedBytes -= bytes.length - offset; // dropped with the connection
      this.#wake();
    }
  }
}

function toWireError(error: unknown): { code: string; message: string } {
  if (error instanceof AdasaError) return { code: error.code, message: error.message };
  return { code: "INTERNAL", message: "Internal error; see daemon.log" };
}
