/** The `log_index` table: where each app's captured output lies in its segment files, by time. */
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** One index row; the same shape as `LogIndexRow` of src/logs. */
export interface LogIndexRow {
  /** App name: the folder `logs/<app>/`. */
  app: string;
  /** Instance that wrote the range. */
  instance_id: number;
  /** Pipe the range came from. */
  stream: "out" | "err";
  /** Segment file name inside the app's folder, e.g. `00000042.log`. */
  file: string;
  /** Offset of the first record of the range: a record boundary. */
  byte_offset: number;
  /** Offset just past the last record of the range. */
  end_offset: number;
  /** Capture time of the first line, ms since the epoch. */
  first_at: number;
  /** Capture time of the last line, ms since the epoch (same second as first_at). */
  last_at: number;
}

/** A record boundary in an app's log history. */
export interface LogIndexPosition {
  /** Segment file name. */
  file: string;
  /** Byte offset in it. */
  byte_offset: number;
}

/** What the log writer hands over once per tick: rows to upsert, then files to forget. */
export interface LogIndexChanges {
  /** Rows to insert or extend. */
  rows: LogIndexRow[];
  /** Segment files deleted from disk, whose rows go. */
  removed: Array<{ app: string; file: string }>;
}

/** Prepared statements over `log_index`, made once. */
export class LogIndexStatements {
  readonly #upsert: StatementSync;
  readonly #deleteFile: StatementSync;
  readonly #deleteApp: StatementSync;
  readonly #firstEndingAfter: StatementSync;
  readonly #earliestEndingBetween: StatementSync;
  readonly #before: StatementSync;
  readonly #last: StatementSync;

  /**
   * Prepares every statement.
   *
   * @param db an open database migrated to at least 0003_log_index
   * @throws {Error} when the table is missing (the database was not migrated)
   */
  constructor(db: DatabaseSync) {
    this.#upsert = db.prepare(
      `INSERT INTO log_index (app, instance_id, stream, file, byte_offset, end_offset, first_at,
         last_at)
       VALUES (:app, :instance_id, :stream, :file, :byte_offset, :end_offset, :first_at, :last_at)
       ON CONFLICT (app, file, instance_id, stream, byte_offset) DO UPDATE SET
         end_offset = excluded.end_offset, last_at = excluded.last_at`,
    );
    this.#deleteFile = db.prepare("DELETE FROM log_index WHERE app = ? AND file = ?");
    this.#deleteApp = db.prepare("DELETE FROM log_index WHERE app = ?");
    this.#firstEndingAfter = db.prepare(
      `SELECT first_at FROM log_index WHERE app = ? AND last_at >= ?
       ORDER BY last_at LIMIT 1`,
    );
    this.#earliestEndingBetween = db.prepare(
      `SELECT file, byte_offset FROM log_index WHERE app = ? AND last_at BETWEEN ? AND ?
       ORDER BY file, byte_offset LIMIT 1`,
    );
    this.#before = db.prepare(
      `SELECT DISTINCT file, byte_offset FROM log_index
       WHERE app = ? AND (file < ? OR (file = ? AND byte_offset < ?))
       ORDER BY file DESC, byte_offset DESC LIMIT ?`,
    );
    this.#last = db.prepare(
      `SELECT DISTINCT file, byte_offset FROM log_index WHERE app = ?
       ORDER BY file DESC, byte_offset DESC LIMIT ?`,
    );
  }

  /**
   * Applies one tick's changes: upserts the rows, then deletes the rows of removed files.
   * Caller must run it inside a transaction (`store.transaction`) so a tick is one commit.
   *
   * @param changes what `LogCapture.takePendingIndex()` returned
   * @example
   * ```ts
   * store.transaction(() => logIndex.apply(capture.takePendingIndex()));
   * ```
   */
  apply(changes: LogIndexChanges): void {
    for (const row of changes.rows) this.#upsert.run({ ...row });
    for (const gone of changes.removed) this.#deleteFile.run(gone.app, gone.file);
  }

  /**
   * Deletes every row of an app (after `adasa flush` deleted its files).
   *
   * @param app the app name
   */
  deleteApp(app: string): void {
    this.#deleteApp.run(app);
  }

  /**
   * The first record boundary from which every line captured at or after `since` can be read:
   * the earliest row ending at or after `since`. Rows of an app last at most one second and
   * times grow with the position, so only rows ending within a second of the first one qualify.
   *
   * @param app the app name
   * @param since ms since the epoch
   * @returns the position, or null when nothing indexed ends at or after `since`
   */
  startAt(app: string, since: number): LogIndexPosition | null {
    const first = this.#firstEndingAfter.get(app, since) as { first_at: number } | undefined;
    if (!first) return null;
    const row = this.#earliestEndingBetween.get(app, since, first.first_at + 999) as
      | { file: string; byte_offset: number }
      | undefined;
    return row ? { file: row.file, byte_offset: row.byte_offset } : null;
  }

  /**
   * Record boundaries of an app, newest first: the starting points of a backward read.
   *
   * @param app the app name
   * @param before only boundaries before this position; null for the newest ones
   * @param limit at most this many
   * @returns positions in descending order
   */
  boundariesBefore(
    app: string,
    before: LogIndexPosition | null,
    limit: number,
  ): LogIndexPosition[] {
    const rows = before
      ? this.#before.all(app, before.file, before.file, before.byte_offset, limit)
      : this.#last.all(app, limit);
    return rows as unknown as LogIndexPosition[];
  }
}
