/**
 * Descriptors the daemon inherited from whatever started it (a shell's `exec 7>file`, a CI
 * runner's pipes) were passed on to every app, because spawning does not close descriptors that
 * lack close-on-exec (#16.10). At start the daemon marks every descriptor above 2 close-on-exec:
 * its own are already (Deno opens everything O_CLOEXEC), so only inherited ones change. Deno
 * has no fcntl, so this calls libc through FFI: close_range(2) with CLOSE_RANGE_CLOEXEC
 * (Linux 5.11), else fcntl(F_SETFD) on each descriptor listed in /proc/self/fd.
 */

const CLOSE_RANGE_CLOEXEC = 1 << 2;
const F_GETFD = 1;
const F_SETFD = 2;
const FD_CLOEXEC = 1;
const LIBC_NAMES = ["libc.so.6", "libc.so"];

const SYMBOLS = {
  close_range: { parameters: ["u32", "u32", "i32"], result: "i32", optional: true },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
} as const;

/**
 * Marks every descriptor above 2 close-on-exec. Returns null when done, or why it could not
 * be (no libc to load, say), for the daemon to log: apps then inherit what the daemon did.
 */
export function markInheritedCloseOnExec(): string | null {
  let libc: Deno.DynamicLibrary<typeof SYMBOLS> | null = null;
  const errors: string[] = [];
  for (const name of LIBC_NAMES) {
    try {
      libc = Deno.dlopen(name, SYMBOLS);
      break;
    } catch (error) {
      errors.push(`${name}: ${(error as Error).message}`);
    }
  }
  if (!libc) return `cannot load libc (${errors.join("; ")})`;
  try {
    const closeRange = libc.symbols.close_range;
    if (closeRange && closeRange(3, 0xffff_ffff, CLOSE_RANGE_CLOEXEC) === 0) return null;
    return markEach(libc.symbols.fcntl);
  } finally {
    libc.close();
  }
}

function markEach(fcntl: (fd: number, cmd: number, arg: number) => number): string | null {
  const failed: number[] = [];
  for (const entry of Deno.readDirSync("/proc/self/fd")) {
    const fd = Number(entry.name);
    if (!Number.isInteger(fd) || fd <= 2) continue;
    const flags = fcntl(fd, F_GETFD, 0);
    if (flags === -1) continue; // closed meanwhile (the listing's own descriptor)
    if ((flags & FD_CLOEXEC) === 0 && fcntl(fd, F_SETFD, flags | FD_CLOEXEC) === -1) {
      failed.push(fd);
    }
  }
  return failed.length ? `fcntl(F_SETFD) failed on descriptors ${failed.join(", ")}` : null;
}
