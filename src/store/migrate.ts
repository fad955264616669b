/**
 * Applies `migrations/NNNN_name.sql` in order, each in its own transaction together with the
 * bump of `PRAGMA user_version`, so a migration is applied whole or not at all.
 */
import type { DatabaseSync } from "node:sqlite";
import { AdasaError } from "../protocol/mod.ts";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface MigrationReport {
  from: number;
  to: number;
  applied: string[];
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads the migration files of a folder, sorted, checking that versions run 1, 2, 3, … */
export function readMigrations(dir: URL): Migration[] {
  const migrations: Migration[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const match = FILE_PATTERN.exec(entry.name);
    if (!entry.isFile || !match) continue;
    migrations.push({
      version: Number(match[1]),
      name: entry.name,
      sql: Deno.readTextFileSync(new URL(entry.name, dir)),
    });
  }
  migrations.sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new TypeError(`Migration ${m.name} should be number ${i + 1}`);
  });
  return migrations;
}

/**
 * Brings the database to the newest schema.
 *
 * @throws {AdasaError} STORE_FAILED when the database is newer than the newest migration
 */
export function migrate(db: DatabaseSync, options: { dir: URL; path: string }): MigrationReport {
  const migrations = readMigrations(options.dir);
  const current = assertNotNewer(db, options);
  const applied: string[] = [];
  for (const migration of migrations.slice(current)) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw new AdasaError(
        "STORE_FAILED",
        `Migration ${migration.name} failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    applied.push(migration.name);
  }
  return { from: current, to: migrations.length, applied };
}

/**
 * Checks that the database is not newer than the newest migration, without writing.
 *
 * @returns the schema version of the database
 * @throws {AdasaError} STORE_FAILED naming the file and both versions
 */
export function assertNotNewer(db: DatabaseSync, options: { dir: URL; path: string }): number {
  const latest = readMigrations(options.dir).length;
  const current = userVersion(db);
  if (current > latest) {
    throw new AdasaError(
      "STORE_FAILED",
      `Database ${options.path} has schema version ${current}, newer than this daemon's ${latest}; ` +
        `upgrade Adasa (the file was left untouched)`,
    );
  }
  return current;
}

/** The schema version recorded in the database. */
export function userVersion(db: DatabaseSync): number {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number };
  return row.user_version;
}
