/**
 * @module
 * The SQLite store: the only module that writes SQL. Opens the database, applies migrations,
 * and offers typed repositories made of statements prepared once. May import protocol types.
 *
 * @example
 * ```ts
 * import { Store } from "./mod.ts";
 * using store = Store.open("/tmp/adasa.db");
 * store.transaction(() => store.events.insert({ ...event }));
 * ```
 */
import type { DatabaseSync } from "node:sqlite";
import { checkInWorker, openDatabase, type OpenedDatabase, type Quarantine } from "./db.ts";
import { EventStatements } from "./events.ts";
import type { MigrationReport } from "./migrate.ts";
import { RegistryStatements } from "./registry.ts";
import { LogIndexStatements } from "./log_index.ts";
import { MetaStatements } from "./meta.ts";
import { StatsStatements } from "./stats.ts";

export type { AppRow, InstanceRow, InstanceRuntime } from "./registry.ts";
export type { EventQuery, NewEvent } from "./events.ts";
export type { StatsPoint, StatsQuery, StatsResult, StatsRow, StatsSummary } from "./stats.ts";
export { MINUTE_RETENTION_MS, RAW_RETENTION_MS } from "./stats.ts";
export { CHECK_AT_OPEN_MAX_BYTES, checkFailedMarker } from "./db.ts";
export type { MigrationReport, Quarantine };

const MIGRATIONS_DIR = new URL("../../migrations/", import.meta.url);

/** The open database and its repositories. */
export class Store implements Disposable {
  readonly db: DatabaseSync;
  readonly path: string;
  readonly registry: RegistryStatements;
  readonly events: EventStatements;
  readonly stats: StatsStatements;
  readonly logIndex: LogIndexStatements;
  readonly meta: MetaStatements;
  readonly migrations: MigrationReport;
  readonly quarantined: Quarantine | null;
  /** Whether the open left `quick_check` to `checkDeferred()` (a large file). */
  readonly checkIsDeferred: boolean;
  #depth = 0;

  private constructor(path: string, opened: OpenedDatabase) {
    this.path = path;
    this.db = opened.db;
    this.migrations = opened.migrations;
    this.quarantined = opened.quarantined;
    this.checkIsDeferred = opened.checkDeferred;
    this.registry = new RegistryStatements(this.db);
    this.events = new EventStatements(this.db);
    this.stats = new StatsStatements(this.db);
    this.logIndex = new LogIndexStatements(this.db);
    this.meta = new MetaStatements(this.db);
  }

  /**
   * Opens the database at `path`, creating and migrating it as needed.
   *
   * @throws {AdasaError} STORE_FAILED for a database newer than this program or a failed migration
   */
  static open(
    path: string,
    options: { migrationsDir?: URL; checkAtOpenMaxBytes?: number } = {},
  ): Store {
    const opened = openDatabase(path, {
      migrationsDir: options.migrationsDir ?? MIGRATIONS_DIR,
      ...(options.checkAtOpenMaxBytes === undefined
        ? {}
        : { checkAtOpenMaxBytes: options.checkAtOpenMaxBytes }),
    });
    return new Store(path, opened);
  }

  /**
   * The `quick_check` the open left for later, in a worker thread (the event loop goes on).
   * A failure is remembered beside the file: the next open checks in full and sets it aside.
   *
   * @returns why the database is not sound, or null when it is (or was checked at open)
   */
  checkDeferred(): Promise<string | null> {
    return this.checkIsDeferred ? checkInWorker(this.path) : Promise.resolve(null);
  }

  /**
   * Runs `fn` in one transaction. A nested call joins the outer one as a savepoint, so a
   * failing inner unit is undone alone and the outer one goes on.
   */
  transaction<T>(fn: () => T): T {
    const savepoint = this.#depth > 0 ? `nested_${this.#depth}` : null;
    this.db.exec(savepoint ? `SAVEPOINT ${savepoint}` : "BEGIN IMMEDIATE");
    this.#depth++;
    try {
      const result = fn();
      // SQLite may have rolled back the whole transaction under an inner unit (SQLITE_FULL);
      // that unit failed, and what ran after it was written on its own.
      if (this.db.isTransaction) this.db.exec(savepoint ? `RELEASE ${savepoint}` : "COMMIT");
      return result;
    } catch (error) {
      try {
        this.db.exec(savepoint ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : "ROLLBACK");
      } catch {
        // The transaction was already rolled back by SQLite (e.g. SQLITE_FULL).
      }
      throw error;
    } finally {
      this.#depth--;
    }
  }

  /** Runs `PRAGMA integrity_check`; "ok" when the database is sound. */
  integrityCheck(): string {
    const rows = this.db.prepare("PRAGMA integrity_check").all() as Array<Record<string, unknown>>;
    return rows.map((row) => String(Object.values(row)[0])).join("; ");
  }

  [Symbol.dispose](): void {
    if (this.db.isOpen) this.db.close();
  }
}
