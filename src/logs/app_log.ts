/**
 * The log of one app: instances' framers append records to a shared batch, and one queue writes
 * batches in order, so records of different instances never interleave inside a line. A failed
 * write (ENOSPC, EIO) is cut back to the last whole record, its bytes counted as dropped, and
 * writing pauses for `retryMs` while the pipes keep being drained.
 */
import { getLogger } from "../logger.ts";
import { ByteSink } from "./byte_sink.ts";
import type { LineFramer } from "./framer.ts";
import { IndexRegions } from "./index_regions.ts";
import { type LogPolicy, type OpenSegment, SegmentWriter } from "./segments.ts";
import type { LogIndexBatch, LogStream } from "./types.ts";

/**
 * A batch buffer keeps up to this much between writes while a stream of the app is open (a
 * stream stops reading at 512 KiB waiting and reads 1 MiB at most, capture.ts, so a busy app's
 * batches fit without growing again: shrinking and growing again fragments the allocator's
 * heap, measured at +20 MB RSS after a 200 MB burst), and nothing once the app's last stream
 * has ended.
 */
const BATCH_KEEP_BYTES = 2 * 1024 * 1024;

interface Group {
  instanceId: number;
  stream: LogStream;
  time: number;
  start: number;
  end: number;
}

/** What an AppLog needs from its owner. */
export interface AppLogOptions {
  dir: string;
  app: string;
  policy: LogPolicy;
  open: OpenSegment;
  now: () => number;
  retryMs: number;
  onDropped: (instanceId: number, bytes: number) => void;
}

/** One app's segment files, write queue and index rows. */
export class AppLog {
  readonly regions: IndexRegions;
  readonly segments: SegmentWriter;
  readonly #options: AppLogOptions;
  #pending = new ByteSink();
  #spare = new ByteSink();
  #groups: Group[] = [];
  /** Streams that appended and have not ended: when none is left, the buffers go. */
  readonly #open = new Set<LineFramer>();
  #commit: Promise<void> | null = null;
  #queue: Promise<void> = Promise.resolve();
  #lastTime = 0;
  #retryAt = 0;
  #failing = false;
  #written = 0;

  constructor(options: AppLogOptions) {
    this.#options = options;
    this.regions = new IndexRegions(options.app);
    this.segments = new SegmentWriter(options.dir, options.policy, options.open);
    this.segments.onRemoved = (file) => this.regions.removed(file);
    this.segments.onClosed = () => this.regions.closeFile();
  }

  /** Bytes written to this app's files since the daemon started (framing included). */
  get bytesWritten(): number {
    return this.#written;
  }

  /** Framed bytes not yet handed to a write (the batch the next write takes). */
  get waitingBytes(): number {
    return this.#pending.length;
  }

  /** Frames a chunk into the pending batch. Never throws; the chunk may be reused on return. */
  append(framer: LineFramer, chunk: Uint8Array): void {
    const start = this.#pending.length;
    const time = this.#stamp();
    this.#open.add(framer);
    framer.push(chunk, time, this.#pending);
    this.#group(framer, time, start);
  }

  /** Frames the unterminated last line of a stream that ended. */
  end(framer: LineFramer): void {
    const start = this.#pending.length;
    const time = this.#stamp();
    framer.end(time, this.#pending);
    this.#group(framer, time, start);
    if (this.#open.delete(framer) && this.#open.size === 0) {
      // After the writes queued so far: the last stream of the app ended, its buffers go.
      this.#enqueue(() => {
        if (this.#open.size === 0 && this.#pending.length === 0) this.#pending.clear(0);
        if (this.#open.size === 0) this.#spare.clear(0);
        return Promise.resolve();
      });
    }
  }

  /** Resolves when everything appended so far is written (or dropped). Never rejects. */
  commit(): Promise<void> {
    if (this.#pending.length === 0) return this.#queue;
    this.#commit ??= this.#enqueue(() => this.#writePending());
    return this.#commit;
  }

  /** Deletes every segment of the app; the next record starts a new one. */
  flush(): Promise<void> {
    return this.#enqueue(() => this.segments.removeAll());
  }

  /** Writes what is pending and closes the file. */
  async close(): Promise<void> {
    await this.commit();
    await this.#enqueue(() => Promise.resolve(this.segments.close()));
  }

  takeIndex(): LogIndexBatch {
    return this.regions.take();
  }

  /** Capture times never go backwards within an app, so file order is time order. */
  #stamp(): number {
    this.#lastTime = Math.max(this.#lastTime, this.#options.now());
    return this.#lastTime;
  }

  #group(framer: LineFramer, time: number, start: number): void {
    const end = this.#pending.length;
    if (end === start) return;
    this.#groups.push({ instanceId: framer.instanceId, stream: framer.stream, time, start, end });
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(task).catch((error) => {
      getLogger("logs").error("Log writer of {app} failed: {error}", {
        app: this.#options.app,
        error,
      });
    });
    this.#queue = run;
    return run;
  }

  async #writePending(): Promise<void> {
    this.#commit = null;
    const batch = this.#pending;
    const groups = this.#groups;
    this.#pending = this.#spare;
    this.#groups = [];
    this.#spare = batch;
    try {
      await this.#write(batch, groups);
    } finally {
      batch.clear(this.#open.size === 0 ? 0 : BATCH_KEEP_BYTES);
    }
  }

  /**
   * Writes a batch in runs of whole groups that fit the open segment, so a batch that gathered
   * while a write was in flight still rotates at `rotateBytes` (give or take one chunk).
   */
  async #write(batch: ByteSink, groups: Group[]): Promise<void> {
    const now = this.#options.now();
    const bytes = batch.view();
    for (let i = 0; i < groups.length;) {
      if (now < this.#retryAt) return this.#drop(groups.slice(i));
      const from = groups[i]!.start;
      const room = this.segments.policy.rotateBytes - this.segments.size;
      let j = i + 1;
      while (j < groups.length && groups[j]!.end - from <= room) j++;
      const to = groups[j - 1]!.end;
      if (!await this.#writeRun(bytes.subarray(from, to), now)) {
        return this.#drop(groups.slice(i));
      }
      const base = this.segments.size - (to - from) - from;
      for (let k = i; k < j; k++) {
        const g = groups[k]!;
        this.regions.note(this.segments.file, { ...g, start: base + g.start, end: base + g.end });
      }
      i = j;
    }
  }

  /** Writes one run into the open segment (rotating first if needed); false when it failed. */
  async #writeRun(bytes: Uint8Array, now: number): Promise<boolean> {
    try {
      const handle = await this.segments.prepare(bytes.length, now);
      for (let done = 0; done < bytes.length;) done += await handle.write(bytes.subarray(done));
    } catch (error) {
      await this.segments.rollback();
      this.#retryAt = now + this.#options.retryMs;
      if (!this.#failing) {
        getLogger("logs").warn("Cannot write logs of {app}, dropping until it works: {error}", {
          app: this.#options.app,
          error,
        });
      }
      this.#failing = true;
      return false;
    }
    this.#failing = false;
    this.#written += bytes.length;
    this.segments.size += bytes.length;
    return true;
  }

  #drop(groups: Group[]): void {
    for (const g of groups) this.#options.onDropped(g.instanceId, g.end - g.start);
  }
}
