/**
 * @module
 * Log capture and history: frames each instance's stdout and stderr into records stamped with
 * capture time, instance and stream; appends them to per-app segment files under
 * `<ADASA_HOME>/logs/<app>/` with rotation and retention; produces time-index rows for the
 * daemon to store; reads windows, tails and follows back. Owns the files under `logs/` and the
 * file format (see format.ts). May import only src/protocol and src/logger.ts; it never writes
 * SQL: index rows go out through `takePendingIndex()`, and readers take a `LogIndexLookup`.
 *
 * @example
 * ```ts
 * import { LogCapture, tailLogs } from "./mod.ts";
 * const logs = new LogCapture({ dir: `${home}/logs` });
 * const done = logs.capture("api", 3, { stdout: child.stdout, stderr: child.stderr });
 * // every tick: store.transaction(() => store.logIndex.apply(logs.takePendingIndex()));
 * await done;
 * const tail = await tailLogs(`${home}/logs`, store.logIndex, { apps: ["api"], lines: 20 });
 * for await (const line of tail.lines) console.log(line.text);
 * ```
 */
export { LogCapture } from "./capture.ts";
export type { InstancePipes, LogCaptureOptions } from "./capture.ts";
export { LINE_RECORDS_MAX, MAX_LINE_BYTES } from "./format.ts";
export { DEFAULT_LOG_POLICY, openSegmentFile } from "./segments.ts";
export type { LogPolicy, OpenSegment, SegmentHandle } from "./segments.ts";
export { REGION_BYTES } from "./index_regions.ts";
export { STDERR_TAIL_LINES } from "./stderr_tail.ts";
export { pm2FilesOf } from "../model/pm2_log_files.ts";
export type { Pm2Files, Pm2LogSettings } from "../model/pm2_log_files.ts";
export { appLogDir, CURRENT_LINK } from "./paths.ts";
export { mergeByTime, readLogs } from "./reader.ts";
export { tailLogs } from "./tail.ts";
export type { Tail } from "./tail.ts";
export { substringTest } from "./grep.ts";
export type { LineTest } from "./grep.ts";
export { REGEX_BUDGET_MS, RegexLineTest } from "./regex_worker.ts";
export type { RegexOptions } from "./regex_worker.ts";
export type { FollowCursor, LogIndexLookup, LogQuery } from "./reader.ts";
export { FOLLOW_POLL_MS, followLogs } from "./follow.ts";
export type { FollowOptions } from "./follow.ts";
export type { LogFilter } from "./scan.ts";
export type {
  LogIndexBatch,
  LogIndexRow,
  LogLine,
  LogPosition,
  LogStream,
  RemovedLogFile,
} from "./types.ts";
