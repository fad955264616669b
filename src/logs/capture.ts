/**
 * The daemon's entry to log capture: give it each instance's two pipes, take index rows once per
 * tick, ask it for the last stderr lines and the dropped-byte counters.
 *
 * Memory bound: a stream holds one read buffer (at most 1 MiB, reused from read to read) and
 * one unterminated line (MAX_LINE_BYTES). Reading overlaps the app's write in flight, so the
 * app holds that batch plus the next one, which stops growing once MAX_WAITING_BYTES wait
 * (then the stream awaits the write, and a faster child is slowed by its pipe): the two batch
 * buffers stay under 2 MiB each and are kept at that between writes, plus 20 KiB of stderr
 * tail per instance.
 */
import { getLogger } from "../logger.ts";
import { AppLog } from "./app_log.ts";
import { LineFramer } from "./framer.ts";
import { appLogDir } from "./paths.ts";
import type { Pm2Files } from "../model/pm2_log_files.ts";
import { Pm2FileWriter, Pm2Framer, targetsOf } from "./pm2_files.ts";
import {
  DEFAULT_LOG_POLICY,
  type LogPolicy,
  type OpenSegment,
  openSegmentFile,
} from "./segments.ts";
import { StderrTail } from "./stderr_tail.ts";
import type { LogIndexBatch, LogStream } from "./types.ts";

/** How a LogCapture is built. */
export interface LogCaptureOptions {
  /** The logs folder, `<ADASA_HOME>/logs`. */
  dir: string;
  /** Policy of apps without their own; defaults to DEFAULT_LOG_POLICY. */
  policy?: Partial<LogPolicy>;
  /** Wait after a failed write before trying again (default 1000 ms). */
  retryMs?: number;
  now?: () => number;
  /** Opens segment files; tests pass one that fails like a full disk. */
  openSegment?: OpenSegment;
}

/** The two pipes of a spawned instance. */
export interface InstancePipes {
  stdout: ReadableStream<Uint8Array>;
  stderr: ReadableStream<Uint8Array>;
  /** Called once per stream when its reads keep filling 64 KiB (the daemon grows the pipe). */
  onBusy?: (stream: LogStream) => void;
}

/** Captures every instance's output into its app's log files. */
const MIN_READ_BYTES = 1024;
const MAX_READ_BYTES = 1024 * 1024;
/** Framed bytes a stream lets wait behind the app's write in flight before it stops reading. */
const MAX_WAITING_BYTES = 512 * 1024;

/**
 * Chunks of a pipe. A child's pipe is a byte stream, read with a BYOB buffer that grows while
 * reads fill it and shrinks when they do not: an idle pipe costs 1 KiB instead of the 64 KiB a
 * default read holds while it waits (100 idle instances: 2 MiB instead of 13 MiB), and a busy
 * one reads 256 KiB at once, and 1 MiB once its pipe is grown (onBusy fires on the way from
 * 64 KiB to 256 KiB: the pipe delivered full 64 KiB reads). Other streams are read the default way.
 */
async function* readChunks(
  stream: ReadableStream<Uint8Array>,
  onBusy?: () => void,
): AsyncGenerator<Uint8Array> {
  let byob: ReadableStreamBYOBReader | null = null;
  try {
    byob = stream.getReader({ mode: "byob" });
  } catch {
    byob = null; // not a byte stream (TypeError): read the default way
  }
  if (!byob) {
    const reader = stream.getReader();
    try {
      for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value;
    } finally {
      reader.releaseLock();
    }
    return;
  }
  // The buffer given to read() is transferred (detached); the view it comes back in is on the
  // same memory, which is read into again once the caller has framed (copied) the chunk: a
  // busy pipe allocates no buffer per read.
  let size = MIN_READ_BYTES;
  let buffer = new ArrayBuffer(size);
  try {
    for (;;) {
      const { value, done } = await byob.read(new Uint8Array(buffer, 0, size));
      if (done || !value) return;
      buffer = value.buffer;
      // Grow while reads fill the buffer; shrink only below an eighth, so a pipe that delivers
      // 64 KiB at a time does not make the size flap.
      const next = value.byteLength === size
        ? Math.min(size * 4, MAX_READ_BYTES)
        : value.byteLength < size / 8
        ? Math.max(MIN_READ_BYTES, size / 2)
        : size;
      if (next === 256 * 1024 && size < next) onBusy?.();
      yield value;
      if (next !== size) {
        size = next;
        buffer = new ArrayBuffer(size);
      }
    }
  } finally {
    byob.releaseLock();
  }
}

export class LogCapture {
  readonly #options: LogCaptureOptions;
  readonly #apps = new Map<string, AppLog>();
  readonly #policies = new Map<string, LogPolicy>();
  readonly #tails = new Map<number, StderrTail>();
  readonly #dropped = new Map<number, number>();
  readonly #pm2 = new Pm2FileWriter();
  /** The pm2-style files each app wrote to, for `flush`. */
  readonly #pm2Paths = new Map<string, Set<string>>();
  /** Logs of deleted apps being closed, kept until their last index rows are taken. */
  readonly #retired = new Map<AppLog, Promise<void>>();

  constructor(options: LogCaptureOptions) {
    this.#options = options;
  }

  /** Sets an app's rotation and retention (fields left out keep the defaults). */
  setPolicy(app: string, policy: Partial<LogPolicy>): void {
    const full = { ...DEFAULT_LOG_POLICY, ...this.#options.policy, ...policy };
    this.#policies.set(app, full);
    const log = this.#apps.get(app);
    if (log) log.segments.policy = full;
  }

  /**
   * Reads both pipes of an instance until they end. Resolves, with this run's last stderr
   * lines, when both ended and their last lines are written; never rejects. Starts a fresh
   * stderr tail for the instance.
   *
   * @throws {AdasaError} INVALID_ARGUMENT, synchronously, when `app` cannot name a log folder
   */
  capture(
    app: string,
    instanceId: number,
    pipes: InstancePipes,
    options: { pm2?: Pm2Files | null } = {},
  ): Promise<string[]> {
    const log = this.#appLog(app);
    const tail = new StderrTail();
    this.#tails.set(instanceId, tail);
    const copy = (stream: LogStream) => {
      const files = options.pm2;
      if (!files) return null;
      const paths = targetsOf(files, stream);
      if (paths.length === 0) return null;
      const known = this.#pm2Paths.get(app) ?? new Set();
      for (const path of paths) known.add(path);
      this.#pm2Paths.set(app, known);
      return { framer: new Pm2Framer(files.dateFormat), paths };
    };
    return Promise.all([
      this.#pump(log, new LineFramer(instanceId, "out"), pipes, tail, copy("out")),
      this.#pump(log, new LineFramer(instanceId, "err"), pipes, tail, copy("err")),
    ]).then(() => tail.lines());
  }

  /** The last stderr lines of an instance's latest run, oldest first (at most 20). */
  lastStderrLines(instanceId: number): string[] {
    return this.#tails.get(instanceId)?.lines() ?? [];
  }

  /** Bytes written to each app's log files since the daemon started. */
  writtenBytes(): Array<{ app: string; bytes: number }> {
    return [...this.#apps].map(([app, log]) => ({ app, bytes: log.bytesWritten }));
  }

  /** Bytes of records that could not be written (disk full or I/O error) for an instance. */
  droppedBytes(instanceId: number): number {
    return this.#dropped.get(instanceId) ?? 0;
  }

  /** Index rows changed and files removed since the last call, for all apps. */
  takePendingIndex(): LogIndexBatch {
    const batch: LogIndexBatch = { rows: [], removed: [] };
    const take = (log: AppLog) => {
      const part = log.takeIndex();
      batch.rows.push(...part.rows);
      batch.removed.push(...part.removed);
    };
    for (const log of this.#apps.values()) take(log);
    for (const [log, closing] of this.#retired) {
      take(log);
      closing.then(() => this.#retired.delete(log));
    }
    return batch;
  }

  /** Deletes an app's log files; their index rows come in the next `takePendingIndex()`. */
  async flush(app: string): Promise<void> {
    await this.#appLog(app).flush();
    await this.#pm2.truncate(this.#pm2Paths.get(app) ?? []);
  }

  /** Forgets an instance's in-memory state (after `delete`). */
  forget(instanceId: number): void {
    this.#tails.delete(instanceId);
    this.#dropped.delete(instanceId);
  }

  /**
   * Forgets a deleted app: its segment file is closed once what is pending is written, and
   * its writer, policy and pm2-style files are dropped, so deleted apps cost no memory or
   * descriptors. Its last index rows come in the next `takePendingIndex()` calls. Caller must
   * have ended its captures (its processes are gone). A new app of that name starts afresh.
   */
  forgetApp(app: string): Promise<void> {
    const log = this.#apps.get(app);
    this.#apps.delete(app);
    this.#policies.delete(app);
    const paths = this.#pm2Paths.get(app) ?? new Set<string>();
    this.#pm2Paths.delete(app);
    const closing = Promise.all([log?.close(), this.#pm2.release(paths)]).then(() => {});
    if (log) this.#retired.set(log, closing);
    return closing;
  }

  /** Apps, instances and files held in memory, for tests of what a delete releases. */
  get held(): { apps: number; instances: number; retired: number } {
    const ids = new Set([...this.#tails.keys(), ...this.#dropped.keys()]);
    return {
      apps: this.#apps.size + this.#policies.size,
      instances: ids.size,
      retired: this.#retired.size,
    };
  }

  /** Writes what is pending and closes every file. Captures still running keep their pipes. */
  async close(): Promise<void> {
    await Promise.all([...this.#apps.values(), ...this.#retired.keys()].map((log) => log.close()));
    await this.#pm2.close();
  }

  async #copy(copy: Pm2Copy, bytes: Uint8Array): Promise<void> {
    await Promise.all(copy.paths.map((path) => this.#pm2.write(path, bytes)));
  }

  #appLog(app: string): AppLog {
    let log = this.#apps.get(app);
    if (log) return log;
    log = new AppLog({
      dir: appLogDir(this.#options.dir, app),
      app,
      policy: this.#policies.get(app) ?? { ...DEFAULT_LOG_POLICY, ...this.#options.policy },
      open: this.#options.openSegment ?? openSegmentFile,
      now: this.#options.now ?? Date.now,
      retryMs: this.#options.retryMs ?? 1000,
      onDropped: (id, bytes) => this.#dropped.set(id, (this.#dropped.get(id) ?? 0) + bytes),
    });
    this.#apps.set(app, log);
    return log;
  }

  async #pump(
    log: AppLog,
    framer: LineFramer,
    pipes: InstancePipes,
    stderrTail: StderrTail,
    copy: Pm2Copy | null,
  ): Promise<void> {
    const out = framer.stream === "out";
    const tail = out ? null : stderrTail;
    const onBusy = pipes.onBusy;
    const chunks = readChunks(
      out ? pipes.stdout : pipes.stderr,
      onBusy ? () => onBusy(framer.stream) : undefined,
    );
    try {
      for await (const value of chunks) {
        tail?.push(value);
        log.append(framer, value);
        // The next read overlaps the write of what came before; once a batch's worth waits
        // behind the write in flight, the child waits on its pipe (backpressure).
        const written = log.commit();
        if (log.waitingBytes >= MAX_WAITING_BYTES) await written;
        if (copy) await this.#copy(copy, copy.framer.push(value, Date.now()));
      }
    } catch (error) {
      getLogger("logs").warn("Reading {stream} of instance {id} failed: {error}", {
        stream: streamName(framer.stream),
        id: framer.instanceId,
        error,
      });
    } finally {
      tail?.end();
      log.end(framer);
      await log.commit();
      if (copy) await this.#copy(copy, copy.framer.end(Date.now()));
      await chunks.return(undefined);
    }
  }
}

/** Where a stream's bytes are copied for pm2 users, and their framing. */
interface Pm2Copy {
  framer: Pm2Framer;
  paths: string[];
}

function streamName(stream: LogStream): string {
  return stream === "out" ? "stdout" : "stderr";
}
