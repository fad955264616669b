/**
 * Opens the database: refuses a file that is not SQLite (never overwriting it), sets the
 * pragmas (WAL, busy timeout, foreign keys) and applies pending migrations.
 */
import { DatabaseSync } from "node:sqlite";
import { AdasaError } from "../protocol/mod.ts";
import { assertNotNewer, migrate, type MigrationReport } from "./migrate.ts";

const SQLITE_HEADER = "SQLite format 3\0";

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
}

/**
 * Opens (creating when missing) the database at `path`. A file that is not SQLite or fails
 * `quick_check` is renamed aside, byte-identical, and a fresh database is created.
 *
 * @throws {AdasaError} STORE_FAILED when the schema is newer than this program
 */
export function openDatabase(path: string, options: { migrationsDir: URL }): OpenedDatabase {
  const quarantined = quarantineIfBad(path);
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
    return { db, migrations, quarantined };
  } catch (error) {
    db.close();
    throw error;
  }
}

function quarantineIfBad(path: string): Quarantine | null {
  let size: number;
  try {
    size = Deno.statSync(path).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null; // no file yet
    throw error;
  }
  const reason = size === 0 ? null : checkDatabase(path);
  if (reason === null) return null;
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
  return { path, movedTo, reason };
}

/** Returns why the file is not a usable database, or null when it is fine. */
function checkDatabase(path: string): string | null {
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
    const rows = db.prepare("PRAGMA quick_check").all() as Array<Record<string, unknown>>;
    const first = rows[0] ? String(Object.values(rows[0])[0]) : "no result";
    return first === "ok" ? null : `quick_check failed: ${first}`;
  } catch (error) {
    return `cannot be read: ${(error as Error).message}`;
  } finally {
    db?.close();
  }
}

export { AdasaError };
