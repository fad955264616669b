/**
 * The names of the pm2-style log files of an instance, by pm2 7's rules (lib/Common.js,
 * lib/God.js): shared by the daemon, which writes them, and the CLI, which shows where they are.
 * Pure; a leaf.
 */
import type { AppSpec } from "./app_spec.ts";

/** The format pm2 uses for `time: true` (lib/Common.js). */
export const PM2_TIME_FORMAT = "YYYY-MM-DDTHH:mm:ss";

/** The pm2-style files of one instance; null where none is written. */
export interface Pm2Files {
  out: string | null;
  err: string | null;
  /** `log_file`: both streams. */
  both: string | null;
  /** A dayjs format put before each line, or null for the bytes as they came. */
  dateFormat: string | null;
}

/** The app settings that decide an instance's pm2-style files. */
export type Pm2LogSettings = Pick<
  AppSpec,
  | "out_file"
  | "error_file"
  | "log_file"
  | "merge_logs"
  | "log_date_format"
  | "time"
  | "instances"
  | "exec_mode"
>;

/**
 * The files of the instance with index `index` (0 to instances - 1) by pm2's rules, or null
 * when the app names none. pm2 puts its pm_id there, which on a fresh pm2 is the index for the
 * first app of a file; the index keeps a name stable across restarts of the daemon and scaling.
 * `time` wins over `log_date_format`, as in pm2 (lib/Common.js sets the format from it).
 */
export function pm2FilesOf(spec: Pm2LogSettings, index: number): Pm2Files | null {
  // pm2 merges by default only a fork app of one instance (lib/Common.js); see the README.
  const merged = spec.merge_logs || (spec.exec_mode === "fork" && spec.instances <= 1);
  const place = (path: string | null): string | null => {
    if (path === null || path === "/dev/null" || path.endsWith("/NULL")) return null;
    return merged ? path : path.replace(/-[0-9]+\.log$|\.log$/, `-${index}.log`);
  };
  const files = {
    out: place(spec.out_file),
    err: place(spec.error_file),
    both: place(spec.log_file),
    dateFormat: spec.time ? PM2_TIME_FORMAT : spec.log_date_format,
  };
  return files.out || files.err || files.both ? files : null;
}
