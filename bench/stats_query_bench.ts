// deno-lint-ignore-file no-console -- a benchmark prints its numbers
/**
 * Builds a database holding 24 h of 2-s samples for 100 apps (4.3 M rows) in a temp dir, then
 * prints the median time of the queries `adasa stats` makes, the cost of one tick's writes, and
 * the bytes per day. Run: deno run -A bench/stats_query_bench.ts [--apps 100] [--hours 24]
 */
import { parseArgs } from "node:util";
import { Store } from "../src/store/mod.ts";
import { MINUTE_MS, type StatsRow, StatsStatements } from "../src/store/stats.ts";

const { values } = parseArgs({
  options: { apps: { type: "string", default: "100" }, hours: { type: "string", default: "24" } },
});
const APPS = Number(values.apps);
const HOURS = Number(values.hours);
const TICK_MS = 2000;
const END = Date.UTC(2026, 10, 27, 12, 0, 0);
const START = END - HOURS * 3_600_000;

function median(runs: number[]): number {
  const sorted = [...runs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function time(label: string, runs: number, fn: () => unknown): void {
  fn(); // warm the page cache and the statement
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  console.log(`${label.padEnd(48)} median ${median(ms).toFixed(2)} ms (${runs} runs)`);
}

function tickRows(at: number, out: StatsRow[]): StatsRow[] {
  out.length = 0;
  for (let i = 1; i <= APPS; i++) {
    const cpu = Math.round(Math.random() * 5000) / 100;
    const memory = 40_000_000 + Math.floor(Math.random() * 20_000_000);
    out.push({
      at,
      instance_id: i,
      app: `app-${i}`,
      pid: 10_000 + i,
      cpu,
      memory,
      group_cpu: cpu,
      group_memory: memory,
    });
  }
  return out;
}

function fill(store: Store, stats: StatsStatements): void {
  const rows: StatsRow[] = [];
  const t0 = performance.now();
  const ticksPerTx = 500;
  for (let at = START; at < END; at += TICK_MS * ticksPerTx) {
    store.transaction(() => {
      for (let t = at; t < Math.min(END, at + TICK_MS * ticksPerTx); t += TICK_MS) {
        stats.insertSamples(tickRows(t, rows));
      }
    });
  }
  const count = (store.db.prepare("SELECT count(*) AS n FROM stats").get() as { n: number }).n;
  console.log(`built ${count} raw rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

function fileBytes(path: string): number {
  let total = 0;
  for (const suffix of ["", "-wal"]) {
    try {
      total += Deno.statSync(path + suffix).size;
    } catch {
      // no wal
    }
  }
  return total;
}

function queries(stats: StatsStatements): void {
  const since = END - 24 * 3_600_000;
  const app = [`app-${Math.ceil(APPS / 2)}`];
  time("query apps=1 since 24h maxPoints=300", 15, () => {
    return stats.query({ apps: app, since, until: END, maxPoints: 300 });
  });
  time("query instanceIds=1 since 24h maxPoints=300", 15, () => {
    return stats.query({ instanceIds: [1], since, until: END, maxPoints: 300 });
  });
  time("query apps=1 since 1h maxPoints=300 (raw)", 15, () => {
    return stats.query({ apps: app, since: END - 3_600_000, until: END, maxPoints: 300 });
  });
  time("query apps=1 since 24h every raw row", 5, () => {
    return stats.query({ apps: app, since, until: END });
  });
  time("query all apps since 1h maxPoints=60", 5, () => {
    return stats.query({ since: END - 3_600_000, until: END, maxPoints: 60 });
  });
  time("summary apps=1 since 24h", 15, () => stats.summary({ apps: app, since, until: END }));
}

function ticks(store: Store, stats: StatsStatements): void {
  const rows: StatsRow[] = [];
  let at = END;
  time(`insert one tick (${APPS} rows, one transaction)`, 50, () => {
    at += TICK_MS;
    store.transaction(() => stats.insertSamples(tickRows(at, rows)));
  });
  time(`insert 5 ticks at once (${5 * APPS} rows)`, 20, () => {
    store.transaction(() => {
      for (let i = 0; i < 5; i++) stats.insertSamples(tickRows(at += TICK_MS, rows));
    });
  });
  time("rollup of one minute", 10, () => {
    at += MINUTE_MS;
    store.transaction(() => stats.insertSamples(tickRows(at, rows)));
    return stats.rollup(at + MINUTE_MS);
  });
  time("pruneRaw chunk of 1000 rows", 20, () => stats.pruneRaw(END, 1000));
  time("pruneMinutes chunk of 1000 rows", 20, () => stats.pruneMinutes(END, 1000));
}

const dir = Deno.makeTempDirSync({ prefix: "adasa_stats_bench_" });
try {
  const path = `${dir}/adasa.db`;
  using store = Store.open(path);
  const stats = new StatsStatements(store.db, { now: () => END });
  fill(store, stats);
  store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const rawBytes = fileBytes(path);
  const t0 = performance.now();
  let minutes = 0;
  for (let n = stats.rollup(END); n > 0; n = stats.rollup(END)) minutes += n;
  console.log(`rollup of ${minutes} minute rows: ${(performance.now() - t0).toFixed(0)} ms`);
  store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const minuteBytes = fileBytes(path) - rawBytes;
  queries(stats);
  ticks(store, stats);
  const perDay = (rawBytes * 24) / HOURS;
  console.log(`raw bytes per day for ${APPS} apps: ${(perDay / 2 ** 20).toFixed(1)} MiB`);
  console.log(`minute rollups per day: ${((minuteBytes * 24) / HOURS / 2 ** 20).toFixed(1)} MiB`);
} finally {
  Deno.removeSync(dir, { recursive: true });
}
