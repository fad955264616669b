/**
 * What a daemon leaves for after its start (#17): on a long history it answers first, then
 * rolls up and prunes in slices; a large database's quick_check runs after the start too, and a
 * failure it finds sets the file aside at the next start.
 */
import { DatabaseSync } from "node:sqlite";
import { MINUTE_RETENTION_MS, RAW_RETENTION_MS, Store } from "../../src/store/mod.ts";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { makeHome, startDaemon } from "../_helpers/daemon.ts";
import { waitFor } from "../_helpers/wait.ts";
import { newEvent } from "../_helpers/events.ts";

const MINUTE = 60_000;

function count(home: string, sql: string, ...params: number[]): number {
  const db = new DatabaseSync(`${home}/adasa.db`, { readOnly: true });
  try {
    return (db.prepare(sql).get(...params) as { n: number }).n;
  } finally {
    db.close();
  }
}

Deno.test("a daemon started on old history answers, then prunes and rolls it up in slices", async () => {
  const home = makeHome();
  const now = Date.now();
  const oldRaw = 5_000; // more than two prune slices of raw rows older than a day
  const recentMinutes = 12; // twelve minutes of raw rows not rolled up yet
  {
    using store = Store.open(`${home}/adasa.db`);
    const sample = (at: number, id: number) => ({
      at,
      instance_id: id,
      app: `gone-${id}`,
      pid: 100,
      cpu: 1,
      memory: 1_000,
      group_cpu: 1,
      group_memory: 1_000,
    });
    store.transaction(() => {
      const oldStart = now - RAW_RETENTION_MS - 3 * 3_600_000;
      for (let i = 0; i < oldRaw; i++) store.stats.insertSamples([sample(oldStart + i * 2_000, 1)]);
      const recent = Math.floor((now - 30 * MINUTE) / MINUTE) * MINUTE;
      for (let t = recent; t < recent + recentMinutes * MINUTE; t += 2_000) {
        store.stats.insertSamples([sample(t, 2)]);
      }
      // A minute row past the minute retention.
      store.db.prepare(
        `INSERT INTO stats_minute (instance_id, at, app, samples, memory_min, memory_avg,
           memory_max, group_memory_avg, group_memory_max) VALUES (3, ?, 'gone-3', 1, 1, 1, 1, 1, 1)`,
      ).run(now - MINUTE_RETENTION_MS - 3_600_000);
    });
  }
  await using daemon = await startDaemon({ home, env: { ADASA_SAMPLE_INTERVAL_MS: "200" } });
  const ping = await daemon.cli(["ping"]);
  assertEquals(ping.code, 0, ping.stderr);
  // One slice every 30 s would take minutes over this backlog; slices in a row take a moment.
  await waitFor(
    () => ({
      old: count(home, "SELECT count(*) AS n FROM stats WHERE at < ?", now - RAW_RETENTION_MS),
      rolled: count(home, "SELECT count(*) AS n FROM stats_minute WHERE instance_id = 2"),
      expired: count(home, "SELECT count(*) AS n FROM stats_minute WHERE instance_id = 3"),
    }),
    (n) => n.old === 0 && n.rolled === recentMinutes && n.expired === 0,
    {
      what: "old raw rows pruned, recent minutes rolled up, old minutes pruned",
      timeoutMs: 15_000,
    },
  );
  const sums = new DatabaseSync(`${home}/adasa.db`, { readOnly: true });
  try {
    const row = sums.prepare(
      "SELECT sum(samples) AS samples, min(memory_avg) AS lo, max(memory_avg) AS hi FROM stats_minute WHERE instance_id = 2",
    ).get() as { samples: number; lo: number; hi: number };
    assertEquals({ ...row }, { samples: recentMinutes * 30, lo: 1_000, hi: 1_000 });
  } finally {
    sums.close();
  }
});

function namesIn(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name);
}

/** A database of 3,000 events whose last pages but two (the events' own) are overwritten. */
function corruptedDatabase(path: string): number {
  {
    using store = Store.open(path);
    store.transaction(() => {
      for (let i = 0; i < 3_000; i++) {
        store.events.insert(newEvent({ at: i, app: "noise", reason: "x".repeat(200) }));
      }
    });
  }
  const file = Deno.readFileSync(path);
  const pages = file.length / 4096;
  for (let p = pages - 10; p < pages - 2; p++) file.fill(0x5a, p * 4096, (p + 1) * 4096);
  Deno.writeFileSync(path, file);
  return file.length;
}

Deno.test("a large database is checked after the daemon answers, and set aside at the next start when it fails", async () => {
  const home = makeHome();
  const size = corruptedDatabase(`${home}/adasa.db`);
  const env = { ADASA_CHECK_AT_OPEN_MAX_BYTES: "4096" };
  {
    await using daemon = await startDaemon({ home, env, keepHome: true });
    const warnings = await waitFor(
      async () => {
        const status = await daemon.cli(["daemon", "status", "--json"]);
        assertEquals(status.code, 0, status.stderr);
        return JSON.parse(status.stdout).store_warnings as string[];
      },
      (w) => w.length > 0,
      { what: "the deferred check's warning in daemon status" },
    );
    assertMatch(
      warnings[0]!,
      /failed its check \((quick_check failed|cannot be read).*next daemon start/,
    );
    assert(
      namesIn(home).every((n) => !n.includes(".corrupt-")),
      "nothing is set aside while the daemon runs on it",
    );
  }
  await using next = await startDaemon({ home, env });
  const status = await next.cli(["daemon", "status", "--json"]);
  assertMatch(JSON.parse(status.stdout).store_warnings[0], /quick_check failed|cannot be read/);
  const aside = namesIn(home).find((n) => /^adasa\.db\.corrupt-[^/]*Z$/.test(n));
  assert(aside, "no quarantined copy");
  // The first daemon ran on it (its events went in), so the file is at least what it was.
  assert((await Deno.stat(`${home}/${aside}`)).size >= size, "the file set aside is the database");
  assert(!namesIn(home).some((n) => n.endsWith(".check-failed")), "marker left");
});

Deno.test("ADASA_CHECK_AT_OPEN_MAX_BYTES that is not a number stops the daemon with a one-line error", async () => {
  const home = makeHome();
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../../main.ts", import.meta.url).pathname],
      env: { ADASA_HOME: home, ADASA_CHECK_AT_OPEN_MAX_BYTES: "lots" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 1);
    assertMatch(new TextDecoder().decode(out.stderr), /ADASA_CHECK_AT_OPEN_MAX_BYTES: expected/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
