/**
 * Larger pipes for busy output (#17). A child's stdout and stderr are pipes of 64 KiB, so a
 * program printing as fast as it can hands the daemon at most 64 KiB per wake-up, and on a
 * loaded machine each hand-over waits for both processes to be scheduled. A stream whose reads
 * keep filling the buffer gets its pipe grown to 1 MiB (fcntl F_SETPIPE_SZ, the default
 * /proc/sys/fs/pipe-max-size): sixteen times fewer hand-overs, each of up to a 1 MiB read.
 *
 * Deno gives no descriptor of a child's pipe, so the pipe is reached through the child's own
 * end, /proc/<pid>/fd/<1|2>, opened write-only and non-blocking for the call and closed again
 * (only when that link names a pipe). Pipe memory counts against the user's
 * pipe-user-pages-soft (64 MiB by default), past which the kernel gives the user's new pipes a
 * single page, so at most MAX_GROWN pipes are grown at a time. Deno has no fcntl: libc through
 * FFI; without it (or on another OS) pipes keep their size.
 */

const F_SETPIPE_SZ = 1031;
const F_GETPIPE_SZ = 1032;
const O_WRONLY = 0o1;
const O_NOCTTY = 0o400;
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;

/** The size a busy pipe is grown to. */
export const GROWN_PIPE_BYTES = 1024 * 1024;
/** Pipes grown at once, at most: 16 MiB, a quarter of the default per-user soft limit. */
export const MAX_GROWN = 16;

const SYMBOLS = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** Runs `fn` on a descriptor of the pipe at `pid`'s `fd`; null when that is not a pipe. */
function withPipe<T>(pid: number, fd: 1 | 2, fn: (c: Libc, own: number) => T): T | null {
  const path = `/proc/${pid}/fd/${fd}`;
  try {
    if (Deno.build.os !== "linux" || !Deno.readLinkSync(path).startsWith("pipe:")) return null;
  } catch {
    return null; // the child is gone, or closed the descriptor
  }
  // Opened for the call and closed again: it runs once per busy stream, and the daemon keeps
  // no library handle open for it.
  let lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  try {
    lib = Deno.dlopen("libc.so.6", SYMBOLS);
  } catch {
    return null;
  }
  try {
    const c = lib.symbols;
    const own = c.open(
      new TextEncoder().encode(`${path}\0`),
      O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
    );
    if (own < 0) return null;
    try {
      return fn(c, own);
    } finally {
      c.close(own);
    }
  } finally {
    lib.close();
  }
}

/** The capacity in bytes of the pipe at `pid`'s `fd`, or null when it cannot be read. */
export function pipeSizeOf(pid: number, fd: 1 | 2): number | null {
  const size = withPipe(pid, fd, (c, own) => c.fcntl(own, F_GETPIPE_SZ, 0));
  return size === null || size < 0 ? null : size;
}

/** Grows busy children's pipes, MAX_GROWN at a time. */
export class PipeGrower {
  #grown = 0;
  readonly #max: number;

  constructor(options: { max?: number } = {}) {
    this.#max = options.max ?? MAX_GROWN;
  }

  /** Pipes grown and not yet released. */
  get grown(): number {
    return this.#grown;
  }

  /**
   * Grows the pipe at `pid`'s `fd` to GROWN_PIPE_BYTES. Returns whether it did; the caller
   * must `release()` each grown pipe once its child has exited. Never throws.
   */
  grow(pid: number, fd: 1 | 2): boolean {
    if (this.#grown >= this.#max) return false;
    const size = withPipe(pid, fd, (c, own) => c.fcntl(own, F_SETPIPE_SZ, GROWN_PIPE_BYTES));
    if (size === null || size < GROWN_PIPE_BYTES) return false;
    this.#grown++;
    return true;
  }

  release(count = 1): void {
    this.#grown = Math.max(0, this.#grown - count);
  }
}
