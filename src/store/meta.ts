/** The `daemon_meta` table: facts about the daemon that outlive it (the boot id). */
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** Prepared statements over `daemon_meta`, made once. */
export class MetaStatements {
  readonly #get: StatementSync;
  readonly #set: StatementSync;

  constructor(db: DatabaseSync) {
    this.#get = db.prepare("SELECT value FROM daemon_meta WHERE key = ?");
    this.#set = db.prepare(
      "INSERT INTO daemon_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
  }

  /**
   * The stored value of `key`, or null.
   *
   * @param key the fact's name, e.g. `boot_id`
   * @returns its value, or null when never stored
   * @example
   * ```ts
   * const previousBoot = store.meta.get("boot_id");
   * ```
   */
  get(key: string): string | null {
    const row = this.#get.get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  /**
   * Stores `value` under `key`. Caller must be inside a transaction when it must be atomic
   * with other writes.
   *
   * @param key the fact's name
   * @param value its new value
   * @example
   * ```ts
   * store.transaction(() => store.meta.set("boot_id", bootId));
   * ```
   */
  set(key: string, value: string): void {
    this.#set.run(key, value);
  }
}
