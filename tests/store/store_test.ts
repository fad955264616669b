import { DatabaseSync } from "node:sqlite";
import { AdasaError } from "../../src/protocol/errors.ts";
import { normalizeAppSpec } from "../../src/protocol/app_spec.ts";
import { Store } from "../../src/store/mod.ts";
import { newEvent } from "../_helpers/events.ts";
import { readMigrations } from "../../src/store/migrate.ts";
import { assert, assertEquals, assertMatch, assertThrows } from "../_helpers/assert.ts";

const MIGRATIONS_DIR = new URL("../../migrations/", import.meta.url);
const LATEST = readMigrations(MIGRATIONS_DIR).length;

/** A temp folder removed on dispose, whatever the test left open in it. */
function tempDir(): Disposable & { path: string; db: string } {
  const path = Deno.makeTempDirSync({ prefix: "adasa-store-" });
  return {
    path,
    db: `${path}/adasa.db`,
    [Symbol.dispose]: () => Deno.removeSync(path, { recursive: true }),
  };
}

function userVersionOf(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version;
  } finally {
    db.close();
  }
}

function tableNames(db: DatabaseSync): string[] {
  return (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .all() as Array<{ name: string }>).map((r) => r.name);
}

function quarantinedFiles(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.includes(".corrupt-"));
}

Deno.test("Store.open() on a fresh path creates the schema, WAL, foreign keys and mode 0600", () => {
  using dir = tempDir();
  using store = Store.open(dir.db);
  const tables = tableNames(store.db);
  for (const table of ["apps", "instances", "events"]) {
    assert(tables.includes(table), `table ${table} missing from ${tables.join(", ")}`);
  }
  assertEquals(
    (store.db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode,
    "wal",
  );
  assertEquals(
    (store.db.prepare("PRAGMA foreign_keys").get() as { foreign_keys: number }).foreign_keys,
    1,
  );
  assertEquals(store.migrations.from, 0);
  assertEquals(store.migrations.to, LATEST);
  assertEquals(store.migrations.applied.length, LATEST);
  assertEquals(store.quarantined, null);
  // Write once so the -wal and -shm files exist, then check every file is owner-only.
  store.transaction(() => store.events.insert(newEvent({ at: 1 })));
  for (const suffix of ["", "-wal", "-shm"]) {
    const mode = Deno.statSync(dir.db + suffix).mode! & 0o777;
    assertEquals(mode.toString(8), "600", `mode of adasa.db${suffix}`);
  }
});

Deno.test("Store.open() enforces foreign keys: an instance needs its app", () => {
  using dir = tempDir();
  using store = Store.open(dir.db);
  const row = { app_id: 999, instance: 0, state: "stopped", desired: "down" } as const;
  assertThrows(
    () => store.registry.insertInstance(row, 1),
    (e) => /FOREIGN KEY/.test(String(e)),
  );
});

Deno.test("Store.open() on an up-to-date database applies nothing and keeps the rows", () => {
  using dir = tempDir();
  {
    using first = Store.open(dir.db);
    first.transaction(() => first.events.insert(newEvent({ at: 5, app: "kept" })));
  }
  using second = Store.open(dir.db);
  assertEquals(second.migrations, { from: LATEST, to: LATEST, applied: [] });
  assertEquals(second.events.query({}).map((e) => e.app), ["kept"]);
});

Deno.test("Store.open() refuses a database newer than its migrations and leaves it byte-identical", () => {
  using dir = tempDir();
  const newer = LATEST + 7;
  const raw = new DatabaseSync(dir.db);
  raw.exec("CREATE TABLE future (x INTEGER); INSERT INTO future VALUES (42);");
  raw.exec(`PRAGMA user_version = ${newer}`);
  raw.close();
  const before = Deno.readFileSync(dir.db);
  const mtimeBefore = Deno.statSync(dir.db).mtime!.getTime();
  const error = assertThrows(
    () => Store.open(dir.db),
    (e) => e instanceof AdasaError && e.code === "STORE_FAILED",
  ) as AdasaError;
  assert(error.message.includes(dir.db), `message should name the file: ${error.message}`);
  assertMatch(error.message, new RegExp(`\\b${newer}\\b`));
  assertMatch(error.message, new RegExp(`\\b${LATEST}\\b`));
  assert(!error.message.includes("\n"), "one-line message");
  assertEquals(Deno.readFileSync(dir.db), before);
  assertEquals(Deno.statSync(dir.db).mtime!.getTime(), mtimeBefore);
  assertEquals(userVersionOf(dir.db), newer);
  assertEquals(quarantinedFiles(dir.path), []);
});

Deno.test("Store.open() moves a text file aside byte-identical and starts a fresh database", () => {
  using dir = tempDir();
  const text = new TextEncoder().encode("these are my notes, not a database\n".repeat(100));
  Deno.writeFileSync(dir.db, text);
  using store = Store.open(dir.db);
  const q = store.quarantined;
  assert(q !== null, "store.quarantined should be set");
  assertEquals(q.path, dir.db);
  assertMatch(q.movedTo, /\/adasa\.db\.corrupt-\d{4}-\d\d-\d\dT[\d-]+(\.\d+)?Z$/);
  assertMatch(q.reason, /not a SQLite database/);
  assertEquals(Deno.readFileSync(q.movedTo), text);
  assertEquals(quarantinedFiles(dir.path), [q.movedTo.slice(dir.path.length + 1)]);
  assert(tableNames(store.db).includes("events"), "the fresh database has the schema");
  assertEquals(store.migrations.applied.length, LATEST);
});

Deno.test("Store.open() quarantines a database whose middle pages were overwritten", () => {
  using dir = tempDir();
  {
    using store = Store.open(dir.db);
    store.transaction(() => {
      for (let i = 0; i < 2_000; i++) {
        store.events.insert(newEvent({ at: i, app: `app-${i % 7}`, reason: "x".repeat(100) }));
      }
    });
  }
  // Closing the last connection checkpoints the WAL into the main file and removes it.
  assert(!exists(`${dir.db}-wal`), "the WAL should be checkpointed on close");
  const pageSize = 4096;
  const file = Deno.readFileSync(dir.db);
  assert(file.length > pageSize * 20, `database too small to corrupt: ${file.length} bytes`);
  // Keep page 1 (header and schema) intact so the file still looks like SQLite.
  const noise = seeded(7, pageSize * 8);
  file.set(noise, pageSize * 4);
  Deno.writeFileSync(dir.db, file);
  const corrupted = Deno.readFileSync(dir.db);

  using store = Store.open(dir.db);
  const q = store.quarantined;
  assert(q !== null, "quick_check should have failed on the overwritten pages");
  assertMatch(q.reason, /quick_check failed|cannot be read/);
  assertEquals(Deno.readFileSync(q.movedTo), corrupted);
  assertEquals(store.events.query({}), []);
  assertEquals(store.integrityCheck(), "ok");
});

/** A database of 2,000 events whose pages 4 to 11 are noise; page 1 (the schema) is intact. */
function corruptedDatabase(path: string): Uint8Array {
  {
    using store = Store.open(path);
    store.transaction(() => {
      for (let i = 0; i < 2_000; i++) {
        store.events.insert(newEvent({ at: i, app: `app-${i % 7}`, reason: "x".repeat(100) }));
      }
    });
  }
  const file = Deno.readFileSync(path);
  file.set(seeded(7, 4096 * 8), 4096 * 4);
  Deno.writeFileSync(path, file);
  return file;
}

Deno.test("Store.open() of a large database defers quick_check; a failure found later sets the file aside at the next open", async () => {
  using dir = tempDir();
  const corrupted = corruptedDatabase(dir.db);
  const marker = `${dir.db}.check-failed`;
  {
    // Above the size checked at open: only the header and the schema are read.
    using store = Store.open(dir.db, { checkAtOpenMaxBytes: 4096 });
    assertEquals(store.quarantined, null);
    assert(store.checkIsDeferred, "the check should be deferred");
    const reason = await store.checkDeferred();
    assert(reason !== null, "the deferred quick_check should fail on the overwritten pages");
    assertMatch(reason, /quick_check failed|cannot be read/);
    assertEquals((await Deno.readTextFile(marker)).trim(), reason);
  }
  using next = Store.open(dir.db, { checkAtOpenMaxBytes: 4096 });
  const q = next.quarantined;
  assert(q !== null, "the next open should check in full and set the file aside");
  assertMatch(q.reason, /quick_check failed|cannot be read/);
  assertEquals((await Deno.stat(q.movedTo)).size, corrupted.length);
  assert(!exists(marker), "the marker goes once it has been acted on");
  assertEquals(next.checkIsDeferred, false);
  assertEquals(next.events.query({}), []);
});

Deno.test("Store.checkDeferred() on a sound large database finds nothing and leaves no marker", async () => {
  using dir = tempDir();
  {
    using store = Store.open(dir.db);
    store.transaction(() => store.events.insert(newEvent({ at: 1, app: "kept" })));
  }
  using store = Store.open(dir.db, { checkAtOpenMaxBytes: 0 });
  assert(store.checkIsDeferred, "the check should be deferred");
  assertEquals(await store.checkDeferred(), null);
  assert(!exists(`${dir.db}.check-failed`), "no marker for a sound database");
  assertEquals(store.events.query({}).map((e) => e.app), ["kept"]);
});

Deno.test("Store.open() keeps a database left by a crash with its WAL unmerged", async () => {
  using dir = tempDir();
  const root = new URL("../../", import.meta.url);
  // A separate process writes and exits without closing, as a SIGKILLed daemon would.
  const script = `
    import { Store } from ${JSON.stringify(new URL("src/store/mod.ts", root).href)};
    const store = Store.open(${JSON.stringify(dir.db)});
    store.transaction(() => store.events.insert(${
    JSON.stringify(newEvent({ at: 9, app: "kept" }))
  }));
    Deno.exit(0);
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", new URL("deno.json", root).pathname, script],
    stdin: "null",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  assert(exists(`${dir.db}-wal`), "the writer should have left its WAL behind");
  using store = Store.open(dir.db);
  assertEquals(store.quarantined, null);
  assertEquals(store.events.query({}).map((e) => e.app), ["kept"]);
});

Deno.test("a failing migration leaves the previous version, and the fixed file completes it", () => {
  using dir = tempDir();
  const migrations = `${dir.path}/migrations`;
  Deno.mkdirSync(migrations);
  let landed = 0;
  for (const entry of Deno.readDirSync(MIGRATIONS_DIR)) {
    if (!entry.name.endsWith(".sql")) continue;
    Deno.copyFileSync(new URL(entry.name, MIGRATIONS_DIR), `${migrations}/${entry.name}`);
    landed++;
  }
  const extra = `${String(landed + 1).padStart(4, "0")}_extra.sql`;
  // The first statement succeeds, the second fails: the whole file must be rolled back.
  Deno.writeTextFileSync(
    `${migrations}/${extra}`,
    "CREATE TABLE extra (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\n",
  );
  const migrationsDir = new URL(`file://${migrations}/`);
  const error = assertThrows(
    () => Store.open(dir.db, { migrationsDir }),
    (e) => e instanceof AdasaError && e.code === "STORE_FAILED",
  ) as AdasaError;
  assertMatch(error.message, new RegExp(extra.replace(".", "\\.")));
  assertMatch(error.message, /no_such_table/);
  assertEquals(userVersionOf(dir.db), landed);
  {
    const raw = new DatabaseSync(dir.db, { readOnly: true });
    try {
      const tables = tableNames(raw);
      assert(tables.includes("events"), "migration 1 should have been kept");
      assert(!tables.includes("extra"), "the failed migration's first statement was kept");
    } finally {
      raw.close();
    }
  }

  Deno.writeTextFileSync(
    `${migrations}/${extra}`,
    "CREATE TABLE extra (id INTEGER PRIMARY KEY);\n",
  );
  using store = Store.open(dir.db, { migrationsDir });
  assertEquals(store.migrations, { from: landed, to: landed + 1, applied: [extra] });
  assertEquals(userVersionOf(dir.db), landed + 1);
  assert(tableNames(store.db).includes("extra"), "the fixed migration created its table");
});

Deno.test("events.query() filters by ids, apps, since and until, oldest first", () => {
  using dir = tempDir();
  using store = Store.open(dir.db);
  const rows: Array<[number, number | null, string | null]> = [
    [100, 1, "api"],
    [200, 2, "api"],
    [300, 3, "worker"],
    [400, 1, "api"],
    [500, null, null],
    [600, 4, "cron"],
    [700, 3, "worker"],
  ];
  store.transaction(() => {
    for (const [at, instance_id, app] of rows) {
      store.events.insert(newEvent({ at, instance_id, app }));
    }
  });
  const ats = (query: Parameters<typeof store.events.query>[0]) =>
    store.events.query(query).map((e) => e.at);
  const cases: Array<{ query: Parameters<typeof store.events.query>[0]; want: number[] }> = [
    { query: {}, want: [100, 200, 300, 400, 500, 600, 700] },
    { query: { instanceIds: [1] }, want: [100, 400] },
    { query: { instanceIds: [1, 3] }, want: [100, 300, 400, 700] },
    { query: { instanceIds: [] }, want: [] },
    { query: { apps: ["worker"] }, want: [300, 700] },
    { query: { apps: ["api", "cron"] }, want: [100, 200, 400, 600] },
    { query: { apps: ["nosuch"] }, want: [] },
    // Ids and apps together select either.
    { query: { instanceIds: [4], apps: ["worker"] }, want: [300, 600, 700] },
    // Bounds are inclusive.
    { query: { since: 300 }, want: [300, 400, 500, 600, 700] },
    { query: { until: 300 }, want: [100, 200, 300] },
    { query: { since: 200, until: 400 }, want: [200, 300, 400] },
    { query: { since: 800 }, want: [] },
    { query: { apps: ["api"], since: 150, until: 450 }, want: [200, 400] },
  ];
  for (const { query, want } of cases) assertEquals(ats(query), want, JSON.stringify(query));
});

Deno.test("events.query() with a limit returns the most recent N, oldest first", () => {
  using dir = tempDir();
  using store = Store.open(dir.db);
  store.transaction(() => {
    for (const at of [10, 20, 30, 40, 50]) store.events.insert(newEvent({ at, app: "a" }));
    // Two events in the same millisecond keep their insertion order.
    store.events.insert(newEvent({ at: 50, app: "a", event: "exit" }));
    store.events.insert(newEvent({ at: 60, app: "b" }));
  });
  const cases: Array<{ limit: number; apps?: string[]; want: Array<[number, string]> }> = [
    { limit: 1, want: [[60, "start"]] },
    { limit: 3, want: [[50, "start"], [50, "exit"], [60, "start"]] },
    { limit: 2, apps: ["a"], want: [[50, "start"], [50, "exit"]] },
    { limit: 100, apps: ["b"], want: [[60, "start"]] },
    { limit: 0, want: [] },
  ];
  for (const { limit, apps, want } of cases) {
    const got = store.events.query({ limit, ...(apps ? { apps } : {}) });
    assertEquals(got.map((e) => [e.at, e.event]), want, `limit ${limit} apps ${apps}`);
  }
});

Deno.test("events.query() returns every column of a stored event", () => {
  using dir = tempDir();
  using store = Store.open(dir.db);
  const stored = newEvent({
    at: 1_700_000_000_000,
    instance_id: 3,
    app: "api",
    event: "exit",
    from_state: "online",
    to_state: "waiting",
    pid: 1234,
    exit_code: 1,
    signal: "SIGTERM",
    uptime_ms: 5_000,
    reason: "crashed",
  });
  store.transaction(() => store.events.insert(stored));
  const [got] = store.events.query({});
  assert(got !== undefined, "no event read back");
  const { id, ...rest } = got;
  assert(Number.isSafeInteger(id) && id > 0, `id ${id}`);
  assertEquals({ ...rest }, { ...stored, output: null });
});

Deno.test("Store.transaction() rolls back every write when the function throws", () => {
  using dir = tempDir();
  using store = Store.open(dir.db);
  const spec = normalizeAppSpec({ command: "sleep", cwd: "/" });
  assertThrows(() =>
    store.transaction(() => {
      store.registry.insertApp(spec, 1);
      store.events.insert(newEvent({ at: 1 }));
      throw new Error("boom");
    })
  );
  assertEquals(store.registry.allApps(), []);
  assertEquals(store.events.query({}), []);
});

Deno.test("Store.transaction() nested in another undoes only its own writes when it throws", () => {
  using dir = tempDir();
  using store = Store.open(dir.db);
  const spec = normalizeAppSpec({ command: "sleep", cwd: "/" });
  store.transaction(() => {
    store.events.insert(newEvent({ at: 1, app: "kept" }));
    assertThrows(() =>
      store.transaction(() => {
        store.registry.insertApp(spec, 2);
        store.events.insert(newEvent({ at: 2, app: "undone" }));
        throw new Error("boom");
      })
    );
    store.transaction(() => store.events.insert(newEvent({ at: 3, app: "after" })));
  });
  assertEquals(store.registry.allApps(), []);
  assertEquals(store.events.query({}).map((e) => e.app).sort(), ["after", "kept"]);
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Deterministic noise (xorshift32), so the corruption is the same on every run. */
function seeded(seed: number, length: number): Uint8Array {
  let x = seed || 1;
  return Uint8Array.from({ length }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}
