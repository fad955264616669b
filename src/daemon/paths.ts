/** The files of a daemon's home. Nothing is written outside it. */
import { resolveHome, socketPath } from "../ipc/paths.ts";

export interface DaemonPaths {
  home: string;
  db: string;
  socket: string;
  pidFile: string;
  lockFile: string;
  log: string;
  logsDir: string;
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
  };
}

/** Creates the home (mode 0700) and its `logs/` folder. */
export function ensureHome(paths: DaemonPaths): void {
  Deno.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  Deno.chmodSync(paths.home, 0o700);
  Deno.mkdirSync(paths.logsDir, { recursive: true, mode: 0o700 });
}
