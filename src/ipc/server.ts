/**
 * The unix-socket server: accepts connections and hands each to a Connection (_connection.ts),
 * which reads frames, dispatches requests through an explicit op table and writes replies.
 * Errors become wire errors there and only there. Nothing a client sends can stop the server:
 * a bad frame costs that connection only. The accept loop outlives any accept error (#16.2):
 * out of descriptors (EMFILE, ENFILE) it logs, backs off and retries. Connections are capped,
 * and one that neither sends nor reads for the idle timeout is closed.
 */
import { AdasaError, encodeFrame, encodeMessage, MAX_FRAME_BYTES } from "../protocol/mod.ts";
import type { Request } from "../protocol/mod.ts";
import { Connection, type ConnectionLimits } from "./_connection.ts";

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
  /** Called for what an operator should see: accept errors, refused and idle connections. */
  onWarning?(message: string): void;
  /** How long a half-received frame may sit before the connection is closed. */
  partialFrameTimeoutMs?: number;
  maxFrameBytes?: number;
  /** Most requests of one connection running at once; reading pauses above it. */
  maxInFlight?: number;
  /** Reply bytes one connection may have waiting for its peer before reading pauses. */
  maxQueuedBytes?: number;
  /** Most open connections; one more gets an UNAVAILABLE frame and is closed. */
  maxConnections?: number;
  /** A connection that neither sends nor reads for this long, with nothing running, closes. */
  idleTimeoutMs?: number;
}

/** The defaults, documented in the README's security model. */
export const SERVER_DEFAULTS = {
  partialFrameTimeoutMs: 5_000,
  maxInFlight: 16,
  maxQueuedBytes: 4 * 1024 * 1024,
  maxConnections: 512,
  idleTimeoutMs: 300_000,
} as const;

const ACCEPT_BACKOFF_MIN_MS = 10;
const ACCEPT_BACKOFF_MAX_MS = 1_000;

/** A listening server. Dispose to stop listening and drop every connection. */
export class IpcServer implements AsyncDisposable {
  readonly #listener: Deno.Listener<Deno.UnixConn, Deno.UnixAddr>;
  readonly #options: ServerOptions;
  readonly #limits: ConnectionLimits;
  readonly #connections = new Set<Connection>();
  readonly #refusals = new Set<Promise<void>>();
  readonly #accepting: Promise<void>;
  readonly #sweep: ReturnType<typeof setInterval>;
  #closing = false;
  #wakeBackoff: (() => void) | null = null;

  private constructor(
    listener: Deno.Listener<Deno.UnixConn, Deno.UnixAddr>,
    options: ServerOptions,
  ) {
    this.#listener = listener;
    this.#options = options;
    this.#limits = {
      maxFrameBytes: options.maxFrameBytes ?? MAX_FRAME_BYTES,
      partialFrameTimeoutMs: options.partialFrameTimeoutMs ??
        SERVER_DEFAULTS.partialFrameTimeoutMs,
      maxInFlight: options.maxInFlight ?? SERVER_DEFAULTS.maxInFlight,
      maxQueuedBytes: options.maxQueuedBytes ?? SERVER_DEFAULTS.maxQueuedBytes,
    };
    const idleMs = options.idleTimeoutMs ?? SERVER_DEFAULTS.idleTimeoutMs;
    // One sweep for all connections instead of a timer re-armed on every read.
    this.#sweep = setInterval(
      () => this.#closeIdle(idleMs),
      Math.min(Math.max(idleMs / 4, 25), 30_000),
    );
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
    let backoffMs = 0;
    while (!this.#closing) {
      let conn: Deno.UnixConn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (this.#closing) return;
        // EMFILE, ENFILE, ECONNABORTED: the listener is fine, the moment is not. The pending
        // connections wait in the backlog until descriptors are free again.
        backoffMs = Math.min(Math.max(backoffMs * 2, ACCEPT_BACKOFF_MIN_MS), ACCEPT_BACKOFF_MAX_MS);
        if (backoffMs < ACCEPT_BACKOFF_MAX_MS || backoffMs === ACCEPT_BACKOFF_MIN_MS) {
          this.#warn(
            `Cannot accept a connection (${errorText(error)}); retrying in ${backoffMs} ms`,
          );
        }
        await this.#sleep(backoffMs);
        continue;
      }
      if (backoffMs > 0) this.#warn("Accepting connections again");
      backoffMs = 0;
      const max = this.#options.maxConnections ?? SERVER_DEFAULTS.maxConnections;
      if (this.#connections.size >= max) {
        this.#refuse(conn, max);
        continue;
      }
      const connection = new Connection(conn, this.#options, this.#limits);
      this.#connections.add(connection);
      connection.done.finally(() => this.#connections.delete(connection));
    }
  }

  /** One UNAVAILABLE frame, then close: the client learns why instead of hanging. */
  #refuse(conn: Deno.UnixConn, max: number): void {
    const message = `Too many connections (${max} open); try again later`;
    this.#warn(`Refused a connection: ${message}`);
    const bytes = encodeFrame(encodeMessage({
      id: 0,
      ok: false,
      error: { code: "UNAVAILABLE", message },
    }));
    const refusal = conn.write(bytes).then(() => {}, () => {}).finally(() => {
      try {
        conn.close();
      } catch {
        // already closed
      }
      this.#refusals.delete(refusal);
    });
    this.#refusals.add(refusal);
  }

  #closeIdle(idleMs: number): void {
    const now = performance.now();
    for (const connection of this.#connections) {
      if (connection.idleFor(now) < idleMs) continue;
      connection.refuse(new AdasaError("UNAVAILABLE", `Connection idle for ${idleMs} ms; closed`));
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wakeBackoff = done;
    });
  }

  #warn(message: string): void {
    try {
      this.#options.onWarning?.(message);
    } catch {
      // a failing logger must not stop the accept loop
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#closing = true;
    clearInterval(this.#sweep);
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
    this.#wakeBackoff?.();
    await this.#accepting;
    const closing = [...this.#connections].map((c) => {
      c.close();
      return c.done;
    });
    await Promise.allSettled([...closing, ...this.#refusals]);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
