/**
 * The segment being written for one app: opening, rotation by size, retention by count and
 * bytes, and noticing that someone deleted the file (then a new segment starts).
 */
import { join } from "node:path";
import { getLogger } from "../logger.ts";
import { CURRENT_LINK, listSegments, segmentFile, segmentPath } from "./paths.ts";

/** Rotation and retention of one app's logs. */
export interface LogPolicy {
  /** A segment is closed before it would grow past this many bytes. */
  rotateBytes: number;
  /** Closed segments kept; older ones are deleted. */
  retainFiles: number;
  /** All segments of the app, the current one included, are kept under this many bytes. */
  retainBytes: number;
}

/** 10 MiB segments, at most 10 closed ones and 100 MiB per app: logs cannot fill a disk. */
export const DEFAULT_LOG_POLICY: Readonly<LogPolicy> = {
  rotateBytes: 10 * 1024 * 1024,
  retainFiles: 10,
  retainBytes: 100 * 1024 * 1024,
};

/** What the writer needs of an open file (Deno.FsFile has it; tests may fake a full disk). */
export interface SegmentHandle {
  write(p: Uint8Array): Promise<number>;
  truncate(len?: number): Promise<void>;
  stat(): Promise<{ ino: number | null; size: number }>;
  close(): void;
}

/** Opens a new, empty segment file for appending. */
export type OpenSegment = (path: string) => Promise<SegmentHandle>;

/** The default OpenSegment: a new file, mode 0600, failing if it exists. */
export function openSegmentFile(path: string): Promise<SegmentHandle> {
  return Deno.open(path, { append: true, createNew: true, mode: 0o600 });
}

const DELETION_CHECK_MS = 1000;

/** The open segment of an app. Caller must serialize calls (AppLog's queue does). */
export class SegmentWriter {
  readonly dir: string;
  policy: LogPolicy;
  readonly #open: OpenSegment;
  #handle: SegmentHandle | null = null;
  #seq = 0;
  #ino: number | null = null;
  #checkedAt = 0;
  /** Bytes in the current segment. */
  size = 0;
  /** Called with each file name deleted by retention or found deleted by hand. */
  onRemoved: (file: string) => void = () => {};
  /** Called when the current segment is closed. */
  onClosed: () => void = () => {};

  constructor(dir: string, policy: LogPolicy, open: OpenSegment) {
    this.dir = dir;
    this.policy = policy;
    this.#open = open;
  }

  /** Name of the current segment file. */
  get file(): string {
    return segmentFile(this.#seq);
  }

  /** Makes sure a segment is open that can take `n` more bytes. Throws on I/O errors. */
  async prepare(n: number, now: number): Promise<SegmentHandle> {
    if (this.#handle && now - this.#checkedAt >= DELETION_CHECK_MS) {
      this.#checkedAt = now;
      if (await this.#deletedByHand()) this.close();
    }
    if (this.#handle && this.size > 0 && this.size + n > this.policy.rotateBytes) {
      this.close();
      await this.#retain();
    }
    if (!this.#handle) await this.#openNext(now);
    return this.#handle!;
  }

  /** After a failed write: cut the file back to `size`, or give it up if that fails too. */
  async rollback(): Promise<void> {
    try {
      await this.#handle?.truncate(this.size);
    } catch (error) {
      getLogger("logs").warn("Cannot cut {path} back after a failed write; starting a new one", {
        path: join(this.dir, this.file),
        error,
      });
      this.close();
    }
  }

  close(): void {
    if (!this.#handle) return;
    try {
      this.#handle.close();
    } catch {
      // already closed
    }
    this.#handle = null;
    this.onClosed();
  }

  /** Closes and deletes every segment (the app's logs are emptied). */
  async removeAll(): Promise<void> {
    this.close();
    for (const segment of await listSegments(this.dir)) {
      await this.#remove(segmentPath(this.dir, segment), segment.file);
    }
  }

  async #openNext(now: number): Promise<void> {
    await Deno.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const existing = await listSegments(this.dir);
    this.#seq = Math.max(this.#seq, existing.at(-1)?.seq ?? 0) + 1;
    const handle = await this.#open(join(this.dir, this.file));
    this.#handle = handle;
    this.size = 0;
    this.#ino = (await handle.stat()).ino;
    this.#checkedAt = now;
    await this.#link();
  }

  async #deletedByHand(): Promise<boolean> {
    try {
      const stat = await Deno.stat(join(this.dir, this.file));
      if (this.#ino !== null && stat.ino !== this.#ino) return true;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      getLogger("logs").warn("Log file {path} was deleted; starting a new one", {
        path: join(this.dir, this.file),
      });
      this.onRemoved(this.file);
      return true;
    }
    try {
      await Deno.lstat(join(this.dir, CURRENT_LINK));
    } catch {
      // current.log was removed (by hand, or by a cleanup script): point it again. A failure
      // other than NotFound fails #link too, which reports it.
      await this.#link();
    }
    return false;
  }

  /** Points current.log at the open segment, atomically (symlink then rename). */
  async #link(): Promise<void> {
    const temp = join(this.dir, `.${CURRENT_LINK}.${this.#seq}`);
    try {
      await Deno.remove(temp).catch(() => {}); // a leftover of an interrupted link; usually absent
      await Deno.symlink(this.file, temp);
      await Deno.rename(temp, join(this.dir, CURRENT_LINK));
    } catch (error) {
      // A convenience for tail -F; logging goes on without it.
      getLogger("logs").debug("Cannot link {dir}/current.log: {error}", { dir: this.dir, error });
    }
  }

  /** Deletes the oldest closed segments beyond the count and byte limits. */
  async #retain(): Promise<void> {
    const closed = await listSegments(this.dir); // all closed: called between segments
    const sizes = await Promise.all(
      closed.map((s) => Deno.stat(segmentPath(this.dir, s)).then((st) => st.size, () => 0)),
    );
    let total = sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < closed.length; i++) {
      const left = closed.length - i;
      // Room is left for the next segment, so the app stays under retainBytes as it fills.
      if (
        left <= this.policy.retainFiles &&
        total + this.policy.rotateBytes <= this.policy.retainBytes
      ) break;
      await this.#remove(segmentPath(this.dir, closed[i]!), closed[i]!.file);
      total -= sizes[i]!;
    }
  }

  async #remove(path: string, file: string): Promise<void> {
    try {
      await Deno.remove(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    this.onRemoved(file);
  }
}
