/**
 * Builds time-index rows as records are written: one row per instance and stream per second of
 * output in a segment, cut every REGION_BYTES so a seek lands at most that far from its target.
 * Rows change while their second lasts; the daemon upserts them once per tick.
 */
import type { LogIndexBatch, LogIndexRow, LogStream, RemovedLogFile } from "./types.ts";

/** A row's byte range is cut after this many bytes. */
export const REGION_BYTES = 1024 * 1024;

/** Open rows of one app and what changed since the last `take()`. */
export class IndexRegions {
  readonly #app: string;
  readonly #open = new Map<string, LogIndexRow>();
  readonly #dirty = new Set<LogIndexRow>();
  #removed: RemovedLogFile[] = [];

  constructor(app: string) {
    this.#app = app;
  }

  /** Records that `instanceId`'s `stream` wrote [start, end) of `file` at `time`. */
  note(
    file: string,
    record: { instanceId: number; stream: LogStream; time: number; start: number; end: number },
  ): void {
    const key = `${record.instanceId}:${record.stream}`;
    const row = this.#open.get(key);
    const sameSecond = row !== undefined &&
      Math.floor(row.first_at / 1000) === Math.floor(record.time / 1000);
    if (row && row.file === file && sameSecond && record.end - row.byte_offset <= REGION_BYTES) {
      row.end_offset = record.end;
      row.last_at = Math.max(row.last_at, record.time);
      this.#dirty.add(row);
      return;
    }
    const next: LogIndexRow = {
      app: this.#app,
      instance_id: record.instanceId,
      stream: record.stream,
      file,
      byte_offset: record.start,
      end_offset: record.end,
      first_at: record.time,
      last_at: record.time,
    };
    this.#open.set(key, next);
    this.#dirty.add(next);
  }

  /** The segment was closed: later records start new rows. */
  closeFile(): void {
    this.#open.clear();
  }

  /** A segment was deleted: its rows go, including any not yet taken. */
  removed(file: string): void {
    for (const row of this.#dirty) if (row.file === file) this.#dirty.delete(row);
    for (const [key, row] of this.#open) if (row.file === file) this.#open.delete(key);
    this.#removed.push({ app: this.#app, file });
  }

  /** The rows changed and the files removed since the last call. */
  take(): LogIndexBatch {
    const rows = [...this.#dirty].map((row) => ({ ...row }));
    this.#dirty.clear();
    const removed = this.#removed;
    this.#removed = [];
    return { rows, removed };
  }
}
