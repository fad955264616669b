/**
 * Where an app's logs live: `<logs>/<app>/<seq>.log`, seq zero-padded to 8 digits and never
 * reused, plus the symlink `<logs>/<app>/current.log` to the segment being written. A segment's
 * name never changes, so index rows can name it; a folder per app keeps any app name (dots and
 * digits included) from colliding with another app's files.
 */
import { basename, dirname, join, resolve } from "node:path";
import { AdasaError } from "../protocol/mod.ts";
import { appNameProblem } from "../model/names.ts";

/** Name of the symlink to the segment being written (`tail -F <app>/current.log`). */
export const CURRENT_LINK = "current.log";

const SEGMENT_PATTERN = /^(\d{8,})\.log(\.gz)?$/;

/** A segment file of an app. */
export interface Segment {
  seq: number;
  /** File name as the index stores it, e.g. `00000042.log` (without `.gz`). */
  file: string;
  /** Whether the file on disk is the gzip-compressed `<file>.gz`. */
  gzip: boolean;
}

/**
 * The folder of an app's logs inside `root`.
 *
 * @throws {AdasaError} INVALID_ARGUMENT when the name would leave `root`
 */
export function appLogDir(root: string, app: string): string {
  const base = resolve(root);
  const dir = resolve(base, app);
  // The one predicate of app names: a name Adasa accepts is always one plain folder here.
  if (appNameProblem(app) !== null || dirname(dir) !== base || basename(dir) !== app) {
    throw new AdasaError(
      "INVALID_ARGUMENT",
      `App name ${JSON.stringify(app)} cannot name a log folder`,
    );
  }
  return dir;
}

/** The file name of segment `seq`. */
export function segmentFile(seq: number): string {
  return `${String(seq).padStart(8, "0")}.log`;
}

/** The sequence number in a segment file name, or NaN. */
export function segmentSeq(file: string): number {
  const match = SEGMENT_PATTERN.exec(file);
  return match ? Number(match[1]) : Number.NaN;
}

/** The segments in an app's folder, oldest first; none when the folder is missing. */
export async function listSegments(dir: string): Promise<Segment[]> {
  const segments: Segment[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const match = SEGMENT_PATTERN.exec(entry.name);
      if (!entry.isFile || !match) continue;
      segments.push({
        seq: Number(match[1]),
        file: `${match[1]}.log`,
        gzip: match[2] !== undefined,
      });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  segments.sort((a, b) => a.seq - b.seq || Number(a.gzip) - Number(b.gzip));
  // A segment caught between compression and removal shows twice; keep the plain file.
  return segments.filter((s, i) => i === 0 || segments[i - 1]!.seq !== s.seq);
}

/** Full path of a segment on disk. */
export function segmentPath(dir: string, segment: Segment): string {
  return join(dir, segment.gzip ? `${segment.file}.gz` : segment.file);
}
