import { deepStrictEqual as assertEquals, ok, strictEqual } from "node:assert/strict";
import { Store } from "../../src/store/mod.ts";
import {
  MINUTE_MS,
  RAW_RETENTION_MS,
  type StatsRow,
  StatsStatements,
} from "../../src/store/stats.ts";

const T0 = Date.UTC(2026, 10, 27, 0, 0, 0);

function row(instance_id: number, at: number, cpu: number | null, memory: number): StatsRow {
  return {
    at,
    instance_id,
    app: `app${instance_id}`,
    pid: 100 + instance_id,
    cpu,
    memory,
    group_cpu: cpu === null ? null : cpu * 2,
    group_memory: memory * 2,
  };
}

/** A migrated database in a temp dir, with a clock the test moves. */
function openStats():
  & { store: Store; stats: StatsStatements; clock: { now: number } }
  & Disposable {
  const dir = Deno.makeTempDirSync({ prefix: "adasa_stats_" });
  const store = Store.open(`${dir}/adasa.db`);
  const clock = { now: T0 };
  const stats = new StatsStatements(store.db, { now: () => clock.now });
  return {
    store,
    stats,
    clock,
    [Symbol.dispose]() {
      store[Symbol.dispose]();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

/** Two instances, one sample every 2 s for `minutes` minutes; cpu = second of the minute. */
function fill(ctx: { store: Store; stats: StatsStatements }, minutes: number): void {
  ctx.store.transaction(() => {
    for (let at = T0; at < T0 + minutes * MINUTE_MS; at += 2000) {
      const second = ((at - T0) % MINUTE_MS) / 1000;
      ctx.stats.insertSamples([row(1, at, second, 1000 + second), row(2, at, 50, 2000)]);
    }
  });
}

function count(store: Store, table: string): number {
  return (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

Deno.test("insertSamples() stores rows that a user can read back with sqlite", () => {
  using ctx = openStats();
  ctx.store.transaction(() => ctx.stats.insertSamples([row(1, T0, null, 10), row(2, T0, 1.5, 20)]));
  const rows = ctx.store.db.prepare("SELECT * FROM stats ORDER BY instance_id").all();
  assertEquals(rows.map((r) => ({ ...r })), [
    { ...row(1, T0, null, 10) },
    { ...row(2, T0, 1.5, 20) },
  ]);
});

Deno.test("rollup() aggregates complete minutes only, idempotently, resuming after a restart", () => {
  using ctx = openStats();
  fill(ctx, 3);
  // The third minute is not complete before T0 + 3 min; the rollup stops at T0 + 2.5 min's minute.
  strictEqual(ctx.stats.rollup(T0 + 2.5 * MINUTE_MS), 4);
  strictEqual(ctx.stats.rollup(T0 + 2.5 * MINUTE_MS), 0);
  const first = ctx.store.db.prepare(
    "SELECT * FROM stats_minute WHERE instance_id = 1 ORDER BY at LIMIT 1",
  ).get() as Record<string, number>;
  strictEqual(first.at, T0);
  strictEqual(first.samples, 30);
  strictEqual(first.cpu_min, 0);
  strictEqual(first.cpu_max, 58);
  strictEqual(first.cpu_avg, 29);
  strictEqual(first.memory_avg, 1029);
  strictEqual(first.group_memory_max, 2116);
  const restarted = new StatsStatements(ctx.store.db);
  strictEqual(restarted.rollup(T0 + 3 * MINUTE_MS), 2);
  strictEqual(count(ctx.store, "stats_minute"), 6);
});

Deno.test("rollup() works through a backlog in chunks and skips gaps", () => {
  using ctx = openStats();
  ctx.store.transaction(() => {
    ctx.stats.insertSamples([row(1, T0, 1, 1), row(1, T0 + 5 * 3_600_000, 1, 1)]);
  });
  let written = 0;
  let calls = 0;
  for (let n = -1; n !== 0; calls++) written += n = ctx.stats.rollup(T0 + 6 * 3_600_000);
  strictEqual(written, 2);
  ok(calls <= 4, `${calls} calls`);
});

Deno.test("pruneRaw() and pruneMinutes() delete old rows in chunks of the limit", () => {
  using ctx = openStats();
  fill(ctx, 2);
  ctx.stats.rollup(T0 + 2 * MINUTE_MS);
  const cutoff = T0 + MINUTE_MS;
  const chunks: number[] = [];
  for (let n = -1; n !== 0;) chunks.push(n = ctx.stats.pruneRaw(cutoff, 25));
  assertEquals(chunks, [25, 25, 10, 0]);
  strictEqual(count(ctx.store, "stats"), 60);
  const oldest = ctx.store.db.prepare("SELECT min(at) AS at FROM stats").get() as { at: number };
  strictEqual(oldest.at, cutoff);
  strictEqual(ctx.stats.pruneMinutes(cutoff, 1), 1);
  strictEqual(ctx.stats.pruneMinutes(cutoff, 1), 1);
  strictEqual(ctx.stats.pruneMinutes(cutoff, 1), 0);
  strictEqual(count(ctx.store, "stats_minute"), 2);
});

Deno.test("query() reads raw rows within raw retention, by id, by app or all", () => {
  using ctx = openStats();
  fill(ctx, 2);
  ctx.clock.now = T0 + 2 * MINUTE_MS;
  const window = { since: T0, until: T0 + 10_000 };
  const byId = ctx.stats.query({ ...window, instanceIds: [1] });
  strictEqual(byId.source, "raw");
  strictEqual(byId.step_ms, 0);
  assertEquals(byId.points.map((p) => [p.at, p.cpu, p.memory, p.samples]), [
    [T0, 0, 1000, 1],
    [T0 + 2000, 2, 1002, 1],
    [T0 + 4000, 4, 1004, 1],
    [T0 + 6000, 6, 1006, 1],
    [T0 + 8000, 8, 1008, 1],
    [T0 + 10_000, 10, 1010, 1],
  ]);
  strictEqual(ctx.stats.query({ ...window, apps: ["app2"] }).points.length, 6);
  strictEqual(ctx.stats.query({ ...window, apps: ["app2"], instanceIds: [1] }).points.length, 12);
  strictEqual(ctx.stats.query(window).points.length, 12);
  strictEqual(ctx.stats.query({ ...window, apps: ["nope"] }).points.length, 0);
});

Deno.test("query() averages raw rows into maxPoints buckets", () => {
  using ctx = openStats();
  fill(ctx, 1);
  ctx.clock.now = T0 + MINUTE_MS;
  const result = ctx.stats.query({ instanceIds: [1], since: T0, until: T0 + 59_999, maxPoints: 3 });
  strictEqual(result.step_ms, 20_000);
  assertEquals(result.points.map((p) => [p.at, p.samples, p.cpu, p.cpu_max, p.memory_max]), [
    [T0, 10, 9, 18, 1018],
    [T0 + 20_000, 10, 29, 38, 1038],
    [T0 + 40_000, 10, 49, 58, 1058],
  ]);
  // The group's range and the times of the first and last sample of each bucket.
  assertEquals(
    result.points.map((p) => [
      p.group_cpu_min,
      p.group_cpu_max,
      p.group_memory_min,
      p.group_memory_max,
      p.first_at,
      p.last_at,
    ]),
    [
      [0, 36, 2000, 2036, T0, T0 + 18_000],
      [40, 76, 2040, 2076, T0 + 20_000, T0 + 38_000],
      [80, 116, 2080, 2116, T0 + 40_000, T0 + 58_000],
    ],
  );
});

Deno.test("query() reads minute rollups beyond raw retention and for minute buckets", () => {
  using ctx = openStats();
  fill(ctx, 3);
  ctx.stats.rollup(T0 + 2 * MINUTE_MS);
  ctx.clock.now = T0 + RAW_RETENTION_MS + 10 * MINUTE_MS;
  const old = ctx.stats.query({ instanceIds: [1], since: T0, until: T0 + 3 * MINUTE_MS });
  strictEqual(old.source, "minute");
  // Two rolled-up minutes, then the third minute from raw rows (not rolled up yet).
  assertEquals(old.points.map((p) => [p.at, p.samples, p.cpu, p.cpu_max]), [
    [T0, 30, 29, 58],
    [T0 + MINUTE_MS, 30, 29, 58],
    [T0 + 2 * MINUTE_MS, 30, 29, 58],
  ]);
  // Rolled-up minutes keep their highest group sample (their lowest is the minute's mean);
  // the raw minute has both, and its real last sample time.
  assertEquals(old.points.map((p) => [p.group_cpu_min, p.group_cpu_max, p.last_at]), [
    [58, 116, T0],
    [58, 116, T0 + MINUTE_MS],
    [0, 116, T0 + 2 * MINUTE_MS + 58_000],
  ]);
  ctx.clock.now = T0 + 3 * MINUTE_MS;
  const wide = ctx.stats.query({
    apps: ["app2"],
    since: T0,
    until: T0 + 3 * MINUTE_MS,
    maxPoints: 1,
  });
  strictEqual(wide.source, "minute");
  strictEqual(wide.step_ms, 4 * MINUTE_MS);
  assertEquals(wide.points.map((p) => [p.instance_id, p.samples, p.cpu, p.memory]), [
    [2, 90, 50, 2000],
  ]);
});

Deno.test("summary() gives min, avg, p95 and max per instance", () => {
  using ctx = openStats();
  ctx.store.transaction(() => {
    for (let i = 1; i <= 100; i++) ctx.stats.insertSamples([row(1, T0 + i * 1000, i, i * 10)]);
    ctx.stats.insertSamples([row(1, T0, null, 5), row(2, T0, null, 7)]);
  });
  ctx.clock.now = T0 + 200_000;
  const [one, two] = ctx.stats.summary({ since: T0, until: T0 + 100_000 });
  assertEquals(one, {
    instance_id: 1,
    app: "app1",
    samples: 101,
    source: "raw",
    cpu: { min: 1, avg: 50.5, p95: 95, max: 100 },
    // Nearest rank: the ceil(0.95 * 101) = 96th smallest of 5, 10, 20, …, 1000.
    memory: { min: 5, avg: 50505 / 101, p95: 950, max: 1000 },
    // The group figures are the process group's own columns (twice the main figures here).
    group_cpu: { min: 2, avg: 101, p95: 190, max: 200 },
    group_memory: { min: 10, avg: 101010 / 101, p95: 1900, max: 2000 },
  });
  strictEqual(two?.cpu, null);
  assertEquals(two?.memory, { min: 7, avg: 7, p95: 7, max: 7 });
  assertEquals(
    ctx.stats.summary({ apps: ["app1"], since: T0 + 1, until: T0 + 4000 }).map((s) => s.cpu),
    [
      { min: 1, avg: 2.5, p95: 4, max: 4 },
    ],
  );
});

Deno.test("query() and summary() by app read every instance the app had, and only the app's rows", () => {
  using ctx = openStats();
  ctx.store.transaction(() => {
    for (let at = T0; at < T0 + 3 * MINUTE_MS; at += 2000) {
      // api was deleted and created again (instances 1, then 5); instance 2 is another app,
      // and instance 3 was named api before it was renamed web.
      const minute = Math.floor((at - T0) / MINUTE_MS);
      ctx.stats.insertSamples([
        { ...row(minute === 0 ? 1 : 5, at, 10, 1000), app: "api" },
        { ...row(2, at, 20, 2000), app: "db" },
        { ...row(3, at, 30, 3000), app: minute === 0 ? "api" : "web" },
      ]);
    }
  });
  ctx.stats.rollup(T0 + 2 * MINUTE_MS);
  const window = { apps: ["api"], since: T0, until: T0 + 3 * MINUTE_MS - 1 };
  for (const now of [T0 + 3 * MINUTE_MS, T0 + RAW_RETENTION_MS + 10 * MINUTE_MS]) {
    ctx.clock.now = now; // raw rows, then minute rollups and the raw tail
    for (const maxPoints of [undefined, 3]) {
      const q = ctx.stats.query({ ...window, ...(maxPoints ? { maxPoints } : {}) });
      const samples = new Map<number, number>();
      for (const p of q.points) {
        samples.set(p.instance_id, (samples.get(p.instance_id) ?? 0) + p.samples);
      }
      assertEquals([...samples], [[1, 30], [3, 30], [5, 60]], `${q.source} ${maxPoints}`);
    }
    const summary = ctx.stats.summary(window);
    // From the rollups, the summary has the minutes rolled up (the third is not yet).
    const rolledOnly = now > T0 + RAW_RETENTION_MS;
    assertEquals(summary.map((s) => [s.instance_id, s.app, s.samples]), [
      [1, "api", 30],
      [3, "api", 30],
      [5, "api", rolledOnly ? 30 : 60],
    ]);
  }
});
