/** Shapes shared by the capture side, the index and the readers. */

/** Which pipe a line came from. */
export type LogStream = "out" | "err";

/** One captured line as readers return it. Times are ms since the epoch, like everywhere. */
export interface LogLine {
  /** Capture time: when the daemon read the chunk that completed the line. */
  time: number;
  app: string;
  instance_id: number;
  stream: LogStream;
  /** The bytes of the line without its newline, decoded as UTF-8 (invalid bytes become U+FFFD). */
  text: string;
  /** True for a piece of a line longer than MAX_LINE_BYTES; the line continues in the next piece. */
  partial: boolean;
}

/**
 * One row of the time index: a byte range of one app's segment file holding the records that one
 * instance's stream wrote within one second (or one REGION_BYTES slice of it). Records of other
 * instances may be interleaved in the range. Same shape as `LogIndexRow` in src/store/log_index.ts.
 */
export interface LogIndexRow {
  app: string;
  instance_id: number;
  stream: LogStream;
  /** Segment file name inside the app's folder, e.g. `00000042.log`. */
  file: string;
  /** Byte offset of the first record of the range (always a record boundary). */
  byte_offset: number;
  /** Byte offset just after the last record of the range. */
  end_offset: number;
  first_at: number;
  last_at: number;
}

/** A segment file that retention or `flush` deleted: its index rows must go too. */
export interface RemovedLogFile {
  app: string;
  file: string;
}

/** What the daemon persists in one transaction per tick: upsert `rows`, then delete `removed`. */
export interface LogIndexBatch {
  rows: LogIndexRow[];
  removed: RemovedLogFile[];
}

/** A record boundary in an app's history. */
export interface LogPosition {
  file: string;
  byte_offset: number;
}
