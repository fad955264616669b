/**
 * Opens the database: refuses a file that is not SQLite (never overwriting it), sets the
 * pragmas (WAL, busy timeout, foreign keys) and applies pending migrations. `quick_check` reads
 * every page (2 s on a day of history of 100 apps), so past CHECK_AT_OPEN_MAX_BYTES it runs
 * after the start, in a worker thread; a failure found there is remembered beside the file,
 * and the next open checks in full and sets the file aside.
 */
import { DatabaseSync } from "node:sqlite";
import { AdasaError } from "../protocol/mod.ts";
import { assertNotNewer, migrate, type MigrationReport } from "./migrate.ts";

const SQLITE_HEADER = "SQLite format 3\0";

/** Files up to this size get their full `quick_check` before the open (well under 100 ms). */
export const CHECK_AT_OPEN_MAX_BYTES = 32 * 2 ** 20;

/** Beside the database: the reason a deferred `quick_check` failed, read by the next open. */
export function checkFailedMarker(path: string): string {
  return `${path}.check-failed`;
}

/** Why a database file was set aside instead of opened. */
export interface Quarantine {
  path: string;
  movedTo: string;
  reason: string;
}

export interface OpenedDatabase {
  db: DatabaseSync;
  migrations: MigrationReport;
  quarantined: Quarantine | null;
  /** Whether `quick_check` was left for later (`checkDeferred`) because the file is large. */
  checkDeferred: boolean;
}

/**
 * Opens (creating when missing) the database at `path`. A file that is not SQLite or fails
 * `quick_check` is renamed aside, byte-identical, and a fresh database is created.
 *
 * @throws {AdasaError} STORE_FAILED when the schema is newer than this program
 */
export function openDatabase(
  path: string,
  options: { migrationsDir: URL; checkAtOpenMaxBytes?: number },
): OpenedDatabase {
  const { quarantined, deferred } = quarantineIfBad(
    path,
    options.checkAtOpenMaxBytes ?? CHECK_AT_OPEN_MAX_BYTES,
  );
  // Create the file owner-only first: SQLite gives -wal and -shm the database file's mode.
  Deno.writeFileSync(path, new Uint8Array(), { append: true, create: true, mode: 0o600 });
  Deno.chmodSync(path, 0o600);
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: true });
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    // Before anything writes: a database newer than this program is left untouched.
    assertNotNewer(db, { dir: options.migrationsDir, path });
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
    const migrations = migrate(db, { dir: options.migrationsDir, path });
    Deno.chmodSync(path, 0o600);
    return { db, migrations, quarantined, checkDeferred: deferred };
  } catch (error) {
    db.close();
    throw error;
  }
}

function quarantineIfBad(
  path: string,
  maxBytes: number,
): { quarantined: Quarantine | null; deferred: boolean } {
  let size: number;
  try {
    size = Deno.statSync(path).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { quarantined: null, deferred: false };
    throw error;
  }
  const marker = checkFailedMarker(path);
  const flagged = existsSync(marker);
  const deferred = size > maxBytes && !flagged;
  const reason = size === 0 ? null : checkDatabase(path, { full: !deferred });
  if (flagged) Deno.removeSync(marker);
  if (reason === null) return { quarantined: null, deferred };
  const stamp = new Date().toISOString().replaceAll(":", "-");
  const movedTo = `${path}.corrupt-${stamp}`;
  Deno.renameSync(path, movedTo);
  for (const suffix of ["-wal", "-shm"]) {
    try {
      Deno.renameSync(path + suffix, movedTo + suffix);
    } catch (error) {
      // Absent is fine; a journal left beside the new database would be replayed into it.
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return { quarantined: { path, movedTo, reason }, deferred: false };
}

function existsSync(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Returns why the file is not a usable database, or null when it is fine. Without `full`, only
 * the header and the schema are read (page 1 and the schema's pages).
 */
function checkDatabase(path: string, options: { full: boolean }): string | null {
  const header = new Uint8Array(16);
  const file = Deno.openSync(path, { read: true });
  try {
    const n = file.readSync(header) ?? 0;
    if (n < 16 || new TextDecoder().decode(header) !== SQLITE_HEADER) {
      return "not a SQLite database (bad header)";
    }
  } finally {
    file.close();
  }
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    if (!options.full) {
      db.prepare("SELECT count(*) FROM sqlite_schema").get();
      return null;
    }
    const rows = db.prepare("PRAGMA quick_check").all() as Array<Record<string, unknown>>;
    const first = rows[0]
      ? String(Object.values(rows[0])[0]).split("\n")[0]!.slice(0, 200)
      : "no result";
    return first === "ok" ? null : `quick_check failed: ${first}`;
  } catch (error) {
    return `cannot be read: ${(error as Error).message}`;
  } finally {
    db?.close();
  }
}

// The deferred check: its own read-only connection on its own thread, so the daemon's event
// loop goes on; a reader in WAL mode never blocks the daemon's writes.
const CHECK_WORKER_SOURCE = `import { DatabaseSync } from "node:sqlite";
self.onmessage = (e) => {
  let result;
  try {
    const db = new DatabaseSync(e.data, { readOnly: true });
    try {
      const row = db.prepare("PRAGMA quick_check").get();
      const first = row ? String(Object.values(row)[0]).split("\\n")[0].slice(0, 200) : "no result";
      result = first === "ok" ? null : "quick_check failed: " + first;
    } finally {
      db.close();
    }
  } catch (error) {
    result = "cannot be read: " + error.message;
  }
  self.postMessage(result);
};`;

/**
 * Runs `PRAGMA quick_check` on `path` in a worker thread. A failure is written to
 * `checkFailedMarker(path)`, so that the next open checks in full and sets the file aside.
 *
 * @returns why the database is not sound, or null when it is
 */
export async function checkInWorker(path: string): Promise<string | null> {
  const worker = new Worker(
    `data:application/javascript;base64,${btoa(CHECK_WORKER_SOURCE)}`,
    { type: "module" },
  );
  try {
    const reason = await new Promise<string | null>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<string | null>) => resolve(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(e.message));
      };
      worker.postMessage(path);
    });
    if (reason !== null) {
      await Deno.writeTextFile(checkFailedMarker(path), `${reason}\n`, { mode: 0o600 });
    }
    return reason;
  } finally {
    worker.terminate();
  }
}

export { AdasaError };
