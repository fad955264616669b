/** Shapes shared by the capture side, the index and the readers. */

// A captured line is what `logs` sends, so its shape is the wire's.
import type { LogLine, LogStream } from "../protocol/ops.ts";
export type { LogLine, LogStream };

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
