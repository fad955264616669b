/**
 * One daemon per home: an exclusive advisory lock on `daemon.lock`, held for the daemon's
 * life and released by the kernel when it dies, so a killed daemon never leaves a stale lock.
 * The pid file is informational only and is written atomically (temp file + rename).
 */
import { AdasaError } from "../protocol/mod.ts";
import type { DaemonPaths } from "./paths.ts";

/** The held lock; dispose to release it and remove the pid file. */
export interface DaemonLock extends Disposable {
  readonly file: Deno.FsFile;
}

/**
 * Takes the home's lock without waiting.
 *
 * @throws {AdasaError} ALREADY_EXISTS when another daemon holds it
 */
export function acquireLock(paths: DaemonPaths): DaemonLock {
  const file = Deno.openSync(paths.lockFile, {
    read: true,
    write: true,
    create: true,
    mode: 0o600,
  });
  if (!file.tryLockSync(true)) {
    file.close();
    const pid = readPidFile(paths.pidFile);
    throw new AdasaError(
      "ALREADY_EXISTS",
      `Another daemon${pid ? ` (pid ${pid})` : ""} is already running on ${paths.home}`,
    );
  }
  return {
    file,
    [Symbol.dispose]() {
      try {
        Deno.removeSync(paths.pidFile);
      } catch {
        // already gone
      }
      file.close(); // closing releases the lock
    },
  };
}

/**
 * Writes the pid file atomically. The temporary file is created exclusively (createNew), so a
 * link left at its path is never followed: a stale one is removed (unlink does not follow).
 */
export function writePidFile(path: string, pid: number): void {
  const temp = `${path}.${pid}.tmp`;
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(temp, { write: true, createNew: true, mode: 0o600 });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    Deno.removeSync(temp);
    file = Deno.openSync(temp, { write: true, createNew: true, mode: 0o600 });
  }
  try {
    file.writeSync(new TextEncoder().encode(`${pid}\n`));
  } finally {
    file.close();
  }
  Deno.renameSync(temp, path);
}

/** The pid in a pid file, or null when absent or unreadable. */
export function readPidFile(path: string): number | null {
  try {
    const pid = Number.parseInt(Deno.readTextFileSync(path).trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null; // absent (no daemon wrote one) or unreadable: no pid to go by
  }
}

/** Removes a socket file left by a daemon that died. Caller must hold the lock. */
export function removeStaleSocket(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}
