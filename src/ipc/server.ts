/**
 * The unix-socket server: reads frames, validates requests, dispatches them through an explicit
 * op table, and writes replies. Requests on one connection run concurrently (pipelining);
 * writes are serialised so frames never interleave. Errors become wire errors here and only
 * here. Nothing a client sends can stop the server: a bad frame costs that connection only.
 */
import {
  AdasaError,
  decodeMessage,
  encodeFrame,
  encodeMessage,
  FrameLengthError,
  FrameReader,
  MAX_FRAME_BYTES,
  parseRequest,
  type Request,
  REQUEST_LIMITS,
  requestIdOf,
  type ServerFrame,
} from "../protocol/mod.ts";

/** What a handler knows about the request it serves. */
export interface RequestContext {
  /** Aborted when the client disconnects or the server closes. */
  signal: AbortSignal;
  request: Request;
}

/** One event of a streaming reply. */
export interface StreamItem {
  event: string;
  data: unknown;
}

/** A unary handler returns the reply's data; a stream handler yields events until done. */
export type OpHandler =
  | { kind: "unary"; run(args: Record<string, unknown>, ctx: RequestContext): unknown }
  | {
    kind: "stream";
    run(args: Record<string, unknown>, ctx: RequestContext): AsyncIterable<StreamItem>;
  };

/** The op table. Looked up with Object.hasOwn, so `__proto__` and `toString` are unknown ops. */
export type OpTable = Readonly<Record<string, OpHandler>>;

export interface ServerOptions {
  path: string;
  ops: OpTable;
  /** Called once for an error that is not an AdasaError (it becomes INTERNAL on the wire). */
  onInternalError(error: unknown, request: Request): void;
  /** How long a half-received frame may sit before the connection is closed. */
  partialFrameTimeoutMs?: number;
  maxFrameBytes?: number;
  /** Most requests of one connection in flight; reading pauses above it. */
  maxInFlight?: number;
}

const DEFAULT_PARTIAL_FRAME_TIMEOUT_MS = 5_000;

/** A listening server. Dispose to stop listening and drop every connection. */
export class IpcServer implements AsyncDisposable {
  readonly #listener: Deno.Listener<Deno.UnixConn, Deno.UnixAddr>;
  readonly #options: ServerOptions;
  readonly #connections = new Set<Connection>();
  readonly #accepting: Promise<void>;

  private constructor(
    listener: Deno.Listener<Deno.UnixConn, Deno.UnixAddr>,
    options: ServerOptions,
  ) {
    this.#listener = listener;
    this.#options = options;
    this.#accepting = this.#acceptLoop();
  }

  /** Listens on `options.path` (mode 0600). Caller must have removed a stale socket file. */
  static listen(options: ServerOptions): IpcServer {
    const listener = Deno.listen({ transport: "unix", path: options.path });
    Deno.chmodSync(options.path, 0o600);
    return new IpcServer(listener, options);
  }

  /** Number of open client connections. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  async #acceptLoop(): Promise<void> {
    while (true) {
      let conn: Deno.UnixConn;
      try {
        conn = await this.#listener.accept();
      } catch {
        return; // listener closed
      }
      const connection = new Connection(conn, this.#options);
      this.#connections.add(connection);
      connection.done.finally(() => this.#connections.delete(connection));
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
    await this.#accepting;
    const closing = [...this.#connections].map((c) => {
      c.close();
      return c.done;
    });
    await Promise.allSettled(closing);
  }
}

class Connection {
  readonly done: Promise<void>;
  readonly #conn: Deno.UnixConn;
  readonly #options: ServerOptions;
  readonly #abort = new AbortController();
  readonly #reader: FrameReader;
  #writeChain: Promise<void> = Promise.resolve();
  #inFlight = 0;
  #resumeReading: (() => void) | null = null;
  #closed = false;

  constructor(conn: Deno.UnixConn, options: ServerOptions) {
    this.#conn = conn;
    this.#options = options;
    this.#reader = new FrameReader({ maxFrameBytes: options.maxFrameBytes ?? MAX_FRAME_BYTES });
    this.done = this.#readLoop();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    this.#resumeReading?.();
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  async #readLoop(): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    const timeoutMs = this.#options.partialFrameTimeoutMs ?? DEFAULT_PARTIAL_FRAME_TIMEOUT_MS;
    const maxInFlight = this.#options.maxInFlight ?? 4096;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      while (!this.#closed) {
        if (this.#inFlight >= maxInFlight) {
          await new Promise<void>((resolve) => (this.#resumeReading = resolve));
          this.#resumeReading = null;
          continue;
        }
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        let payloads: Uint8Array[];
        try {
          payloads = this.#reader.push(buffer.slice(0, n));
        } catch (error) {
          if (!(error instanceof FrameLengthError)) throw error;
          const code = error.length === 0 ? "MALFORMED_FRAME" : "FRAME_TOO_LARGE";
          await this.#fail(0, new AdasaError(code, error.message));
          break;
        }
        for (const payload of payloads) {
          if (!this.#accept(payload)) return;
        }
        if (payloads.length > 0 || this.#reader.pendingBytes === 0) {
          // A completed frame is progress: the timer measures how long ONE frame stays
          // incomplete, so a busy pipelined stream that never drains to a frame boundary lives.
          clearTimeout(timer);
          timer = undefined;
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
      this.#resumeReading?.();
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
        const data = await handler.run(request.args, ctx);
        await this.#send({ id: request.id, ok: true, data: data ?? null });
      } else {
        for await (const item of handler.run(request.args, ctx)) {
          if (this.#closed) return;
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
    this.#writeChain = this.#writeChain.then(() => this.#writeAll(bytes));
    return this.#writeChain;
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    try {
      while (offset < bytes.length && !this.#closed) {
        offset += await this.#conn.write(bytes.subarray(offset));
      }
    } catch {
      this.close(); // the peer went away
    }
  }
}

function toWireError(error: unknown): { code: string; message: string } {
  if (error instanceof AdasaError) return { code: error.code, message: error.message };
  return { code: "INTERNAL", message: "Internal error; see daemon.log" };
}
