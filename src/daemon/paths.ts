/**
 * The files of a daemon's home, and the check that the home is this user's own (#16.8): a home
 * owned by another user, or a file in it that is a symlink or someone else's, is refused, so
 * the daemon never appends its log to, or locks, or opens as its database, a file it was
 * pointed at. Once the home is ours and 0700 nobody else can add an entry to it, so checking
 * the entries before opening them leaves no window to another user.
 */
import { resolveHome, socketPath } from "../ipc/paths.ts";
import { AdasaError } from "../protocol/mod.ts";

export interface DaemonPaths {
  home: string;
  db: string;
  socket: string;
  pidFile: string;
  lockFile: string;
  log: string;
  logsDir: string;
  webToken: string;
}

/** The paths of `home` (default: `$ADASA_HOME` or `~/.adasa`). */
export function daemonPaths(home: string = resolveHome()): DaemonPaths {
  return {
    home,
    db: `${home}/adasa.db`,
    socket: socketPath(home),
    pidFile: `${home}/daemon.pid`,
    lockFile: `${home}/daemon.lock`,
    log: `${home}/daemon.log`,
    logsDir: `${home}/logs`,
    webToken: `${home}/web.token`,
  };
}

/**
 * Creates the home (mode 0700) and its `logs/` folder, and checks that both, and every file
 * the daemon opens in it, belong to this user and are not symlinks.
 *
 * @throws {AdasaError} INVALID_ARGUMENT naming the path that is refused
 */
export function ensureHome(paths: DaemonPaths): void {
  Deno.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  // The home itself may be a symlink the user made (~/.adasa -> /data/adasa): its target counts.
  checkOwned(paths.home, Deno.statSync(paths.home), "directory");
  Deno.chmodSync(paths.home, 0o700);
  try {
    Deno.mkdirSync(paths.logsDir, { mode: 0o700 });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  const own = [paths.lockFile, paths.pidFile, paths.log, paths.webToken, paths.socket];
  const db = ["", "-wal", "-shm", "-journal"].map((suffix) => `${paths.db}${suffix}`);
  for (const path of [...own, ...db]) checkEntry(path, "file");
  checkEntry(paths.logsDir, "directory");
}

function checkEntry(path: string, kind: "file" | "directory"): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  if (info.isSymlink) {
    let target = "?";
    try {
      target = Deno.readLinkSync(path);
    } catch { /* unreadable */ }
    throw refused(
      path,
      `is a symlink (to ${target}); the daemon does not follow links in its home`,
    );
  }
  checkOwned(path, info, kind);
}

function checkOwned(path: string, info: Deno.FileInfo, kind: "file" | "directory"): void {
  const uid = Deno.uid();
  if (uid !== null && info.uid !== null && info.uid !== uid) {
    throw refused(path, `is owned by uid ${info.uid}, not by this user (uid ${uid})`);
  }
  if (kind === "directory" && !info.isDirectory) throw refused(path, "is not a directory");
  if (kind === "file" && info.isDirectory) throw refused(path, "is a directory");
}

function refused(path: string, why: string): AdasaError {
  return new AdasaError("INVALID_ARGUMENT", `Refusing to use ${path}: it ${why}`);
}
