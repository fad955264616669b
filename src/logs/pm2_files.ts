/**
 * The pm2-style log files an app names (`out_file`, `error_file`, `log_file`), written besides
 * Adasa's own logs so that pm2 users find their output where they look (#15.4). The rules are
 * pm2 7's (lib/Common.js, lib/God.js, lib/God/ForkMode.js; the names: src/model/pm2_log_files.ts):
 *
 * - `/dev/null` (or `NULL`) means no file; the parent folder is created when missing.
 * - Unless logs are merged, each instance writes its own file: `-<id>` replaces a trailing
 *   `-<digits>.log` or goes before `.log` (a name not ending in `.log` is shared, as in pm2).
 * - The bytes are the app's own, unchanged; with `log_date_format` (or `time`, pm2's
 *   `YYYY-MM-DDTHH:mm:ss`) each line starts with `<date>: `. `log_file` gets both streams.
 *
 * Files are opened for appending, so `tail -f` and logrotate's copytruncate work; a file moved
 * or deleted (logrotate's create) is noticed within a second and opened anew.
 */
import { dirname } from "node:path";
import { getLogger } from "../logger.ts";
import type { Pm2Files } from "../model/pm2_log_files.ts";
import { formatDate } from "./date_format.ts";
import { NL } from "./format.ts";
import type { LogStream } from "./types.ts";

const encoder = new TextEncoder();

/** One stream's bytes as pm2 writes them: unchanged, or each line behind a date. */
export class Pm2Framer {
  readonly #format: string | null;
  #carry: Uint8Array[] = [];

  constructor(format: string | null) {
    this.#format = format;
  }

  /** The bytes to append for `chunk`, read at `time`. */
  push(chunk: Uint8Array, time: number): Uint8Array {
    if (this.#format === null) return chunk;
    const prefix = encoder.encode(`${formatDate(time, this.#format)}: `);
    const parts: Uint8Array[] = [];
    let at = 0;
    for (let nl = chunk.indexOf(NL); nl >= 0; nl = chunk.indexOf(NL, at)) {
      parts.push(prefix, ...this.#carry, chunk.subarray(at, nl + 1));
      this.#carry = [];
      at = nl + 1;
    }
    // The start of a line waits for its end (at most MAX_LINE_BYTES are kept by the framer's
    // rule too: a longer unterminated line is written as it is).
    if (at < chunk.length) this.#carry.push(chunk.slice(at));
    if (this.#carry.reduce((n, c) => n + c.length, 0) > 64 * 1024) {
      parts.push(...this.#flush(prefix));
    }
    return concat(parts);
  }

  /** The unterminated last line, when the stream ended. */
  end(time: number): Uint8Array {
    if (this.#format === null || this.#carry.length === 0) return new Uint8Array(0);
    return concat(this.#flush(encoder.encode(`${formatDate(time, this.#format)}: `)));
  }

  #flush(prefix: Uint8Array): Uint8Array[] {
    const parts = [prefix, ...this.#carry, new Uint8Array([NL])];
    this.#carry = [];
    return parts;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

interface OpenFile {
  handle: Deno.FsFile | null;
  ino: number | null;
  checkedAt: number;
  queue: Promise<void>;
  failing: boolean;
}

const REOPEN_CHECK_MS = 1000;

/** Appends to pm2-style files, one write queue per path. Never throws: output must flow. */
export class Pm2FileWriter {
  readonly #files = new Map<string, OpenFile>();

  /** Appends `bytes` to `path`; resolves when written or given up (logged once per failure). */
  write(path: string, bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return Promise.resolve();
    const file = this.#file(path);
    file.queue = file.queue.then(() => this.#append(path, file, bytes));
    return file.queue;
  }

  /** Empties the files (`adasa flush`, as `pm2 flush`). */
  async truncate(paths: Iterable<string>): Promise<void> {
    for (const path of paths) {
      const file = this.#file(path);
      file.queue = file.queue.then(() =>
        Deno.truncate(path).catch((error) => {
          // Not written yet is empty already; anything else the user should hear about.
          if (error instanceof Deno.errors.NotFound) return;
          getLogger("logs").warn("Cannot empty the log file {path}: {error}", { path, error });
        })
      );
      await file.queue;
    }
  }

  /** Closes the files of `paths` once their queues are done (their app was deleted). */
  async release(paths: Iterable<string>): Promise<void> {
    for (const path of paths) {
      const file = this.#files.get(path);
      if (!file) continue;
      const queue = file.queue;
      await queue;
      if (file.queue !== queue) continue; // written to again meanwhile: another app shares it
      file.handle?.close();
      file.handle = null;
      this.#files.delete(path);
    }
  }

  /** Closes every file once its queue is done. */
  async close(): Promise<void> {
    for (const file of this.#files.values()) {
      await file.queue;
      file.handle?.close();
      file.handle = null;
    }
    this.#files.clear();
  }

  #file(path: string): OpenFile {
    let file = this.#files.get(path);
    if (!file) {
      file = { handle: null, ino: null, checkedAt: 0, queue: Promise.resolve(), failing: false };
      this.#files.set(path, file);
    }
    return file;
  }

  async #append(path: string, file: OpenFile, bytes: Uint8Array): Promise<void> {
    try {
      const handle = await this.#open(path, file);
      for (let done = 0; done < bytes.length;) done += await handle.write(bytes.subarray(done));
      file.failing = false;
    } catch (error) {
      file.handle?.close();
      file.handle = null;
      if (!file.failing) {
        getLogger("logs").warn("Cannot write the log file {path}: {error}", { path, error });
      }
      file.failing = true;
    }
  }

  /** The open file, reopened when it was moved or deleted (logrotate without copytruncate). */
  async #open(path: string, file: OpenFile): Promise<Deno.FsFile> {
    const now = Date.now();
    if (file.handle && now - file.checkedAt >= REOPEN_CHECK_MS) {
      file.checkedAt = now;
      const ino = await Deno.stat(path).then((s) => s.ino, () => null);
      if (ino === null || ino !== file.ino) {
        file.handle.close();
        file.handle = null;
      }
    }
    if (file.handle) return file.handle;
    await Deno.mkdir(dirname(path), { recursive: true });
    const handle = await Deno.open(path, { append: true, create: true, mode: 0o644 });
    file.handle = handle;
    file.ino = (await handle.stat()).ino;
    file.checkedAt = now;
    return handle;
  }
}

/** Which files a stream's bytes go to. */
export function targetsOf(files: Pm2Files, stream: LogStream): string[] {
  const own = stream === "out" ? files.out : files.err;
  return [...new Set([own, files.both].filter((p): p is string => p !== null))];
}
