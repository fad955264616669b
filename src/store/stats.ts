/**
 * The `stats` and `stats_minute` tables: raw samples of every tick, kept a day, and per-minute
 * rollups, kept a month. Queries pick the raw rows when the window is still within raw
 * retention and the rollups otherwise. Every statement is prepared once, in the constructor;
 * one statement per filter shape (ids, apps, both, neither) keeps each on its index.
 * Longer than 200 lines because the SQL of both sources is kept side by side.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import type { Figures, StatsPoint, StatsSummary } from "../protocol/ops.ts";

// The reply shapes of `stats` are the wire's; the statements below fill them.
export type { Figures, StatsPoint, StatsSummary };

/** Raw samples are kept this long (24 h). */
export const RAW_RETENTION_MS = 24 * 3_600_000;
/** Minute rollups are kept this long (30 days). */
export const MINUTE_RETENTION_MS = 30 * 86_400_000;
/** The rollup interval. */
export const MINUTE_MS = 60_000;
/** At most this many minutes are rolled up per call, so a catch-up never stalls a tick. */
export const ROLLUP_CHUNK_MINUTES = 10;

/** One row of `stats`: a sample of one instance, with its app's name. */
export interface StatsRow {
  /** When the sample was taken, in ms since the epoch. */
  at: number;
  /** The instance's id (like pm2's pm_id). */
  instance_id: number;
  /** The app's name at the time of the sample. */
  app: string;
  /** The instance's main process. */
  pid: number;
  /** Percent of one core; null on the first sample of a pid. */
  cpu: number | null;
  /** Resident bytes of the main process. */
  memory: number;
  /** Percent of one core used by the whole process group. */
  group_cpu: number | null;
  /** Resident bytes of the whole process group. */
  group_memory: number;
}

/** Which samples to read. Times are ms since the epoch; bounds are inclusive. */
export interface StatsQuery {
  /** These instances (with `apps`: these or the apps' instances). */
  instanceIds?: number[];
  /** The instances of these apps. */
  apps?: string[];
  /** Start of the window, in ms since the epoch. */
  since: number;
  /** End of the window, in ms since the epoch. */
  until: number;
  /** Most points per instance: rows are averaged into buckets of equal length when set. */
  maxPoints?: number;
}

/** Points of a window, ordered by instance then time. */
export interface StatsResult {
  /** "raw" for raw rows; "minute" for whole-minute buckets (rollups, then the recent raw tail). */
  source: "raw" | "minute";
  /** Length of a bucket in ms; 0 when raw rows are returned one by one. */
  step_ms: number;
  /** The points, ordered by instance then time. */
  points: StatsPoint[];
}

/** Options of StatsStatements. */
export interface StatsOptions {
  /** Clock in ms since the epoch, to tell whether a window is within raw retention. */
  now?: () => number;
  /** How long raw rows are kept; default RAW_RETENTION_MS. */
  rawRetentionMs?: number;
}

type Source = "raw" | "minute";
type Shape = "ids" | "apps" | "both" | "all" | "apps_ids";
const SHAPES: readonly Shape[] = ["ids", "apps", "both", "all", "apps_ids"];
const SOURCES: readonly Source[] = ["raw", "minute"];

const FILTERS: Record<Shape, string> = {
  ids: "instance_id IN (SELECT value FROM json_each(?)) AND",
  apps: "app IN (SELECT value FROM json_each(?)) AND",
  both:
    "(instance_id IN (SELECT value FROM json_each(?)) OR app IN (SELECT value FROM json_each(?))) AND",
  all: "",
  // The apps' rows, read along the primary key (instance_id, at), which keeps an instance's
  // rows on neighbouring pages: 3 to 4 times faster over a day than the (app, at) index, which
  // reaches each row by its key. The ids are the apps' instances in the window (see
  // #idsOfApps); `+app` keeps the planner off the app index.
  apps_ids:
    "instance_id IN (SELECT value FROM json_each(?)) AND +app IN (SELECT value FROM json_each(?)) AND",
};

// Raw rows in buckets of `step` ms. Parameters: base, base, step, step, filter, since, until,
// base, step.
function rawPointsSql(filter: string): string {
  return `SELECT ? + CAST((at - ?) / ? AS INTEGER) * ? AS at, instance_id, min(app) AS app,
      count(*) AS samples, avg(cpu) AS cpu, max(cpu) AS cpu_max,
      CAST(avg(memory) AS INTEGER) AS memory, max(memory) AS memory_max,
      avg(group_cpu) AS group_cpu, CAST(avg(group_memory) AS INTEGER) AS group_memory,
      min(group_cpu) AS group_cpu_min, max(group_cpu) AS group_cpu_max,
      min(group_memory) AS group_memory_min, max(group_memory) AS group_memory_max,
      min(at) AS first_at, max(at) AS last_at
    FROM stats WHERE ${filter} at >= ? AND at <= ?
    GROUP BY instance_id, CAST((at - ?) / ? AS INTEGER) ORDER BY instance_id, at`;
}

// Minute rollups before the rollup's watermark, then the raw rows after it, in buckets of whole
// minutes; averages are weighted by samples. Parameters: base, base, step, step, filter, base,
// minute end, filter, raw start, until, base, step.
function mixedPointsSql(filter: string): string {
  return `SELECT ? + CAST((at - ?) / ? AS INTEGER) * ? AS at, instance_id, min(app) AS app,
      sum(n) AS samples, sum(cpu * n) / sum(iif(cpu IS NULL, 0, n)) AS cpu,
      max(cpu_max) AS cpu_max, CAST(sum(memory * n) / sum(n) AS INTEGER) AS memory,
      max(memory_max) AS memory_max,
      sum(group_cpu * n) / sum(iif(group_cpu IS NULL, 0, n)) AS group_cpu,
      CAST(sum(group_memory * n) / sum(n) AS INTEGER) AS group_memory,
      min(gcpu_min) AS group_cpu_min, max(gcpu_max) AS group_cpu_max,
      min(gmem_min) AS group_memory_min, max(gmem_max) AS group_memory_max,
      min(at) AS first_at, max(at) AS last_at
    FROM (
      SELECT instance_id, at, app, samples AS n, cpu_avg AS cpu, cpu_max, memory_avg AS memory,
        memory_max, group_cpu_avg AS group_cpu, group_memory_avg AS group_memory,
        group_cpu_avg AS gcpu_min, group_cpu_max AS gcpu_max, group_memory_avg AS gmem_min,
        group_memory_max AS gmem_max
      FROM stats_minute WHERE ${filter} at >= ? AND at < ?
      UNION ALL
      SELECT instance_id, at, app, 1, cpu, cpu, memory, memory, group_cpu, group_memory,
        group_cpu, group_cpu, group_memory, group_memory
      FROM stats WHERE ${filter} at >= ? AND at <= ?
    )
    GROUP BY instance_id, CAST((at - ?) / ? AS INTEGER) ORDER BY instance_id, at`;
}

const SUMMARY: Record<
  Source,
  {
    table: string;
    columns: string;
    cpu: string;
    memory: string;
    group_cpu: string;
    group_memory: string;
  }
> = {
  raw: {
    table: "stats",
    columns: `count(*) AS samples, count(cpu) AS cpu_n,
      min(cpu) AS cpu_min, avg(cpu) AS cpu_avg, max(cpu) AS cpu_max, count(memory) AS memory_n,
      min(memory) AS memory_min, avg(memory) AS memory_avg, max(memory) AS memory_max,
      count(group_cpu) AS gcpu_n, min(group_cpu) AS gcpu_min, avg(group_cpu) AS gcpu_avg,
      max(group_cpu) AS gcpu_max, min(group_memory) AS gmem_min, avg(group_memory) AS gmem_avg,
      max(group_memory) AS gmem_max`,
    cpu: "cpu",
    memory: "memory",
    group_cpu: "group_cpu",
    group_memory: "group_memory",
  },
  minute: {
    table: "stats_minute",
    columns: `sum(samples) AS samples, count(cpu_avg) AS cpu_n, min(cpu_min) AS cpu_min,
      sum(cpu_avg * samples) / sum(iif(cpu_avg IS NULL, 0, samples)) AS cpu_avg,
      max(cpu_max) AS cpu_max, count(*) AS memory_n, min(memory_min) AS memory_min,
      sum(memory_avg * samples) / sum(samples) AS memory_avg, max(memory_max) AS memory_max,
      count(group_cpu_avg) AS gcpu_n, min(group_cpu_avg) AS gcpu_min,
      sum(group_cpu_avg * samples) / sum(iif(group_cpu_avg IS NULL, 0, samples)) AS gcpu_avg,
      max(group_cpu_max) AS gcpu_max, min(group_memory_avg) AS gmem_min,
      sum(group_memory_avg * samples) / sum(samples) AS gmem_avg,
      max(group_memory_max) AS gmem_max`,
    cpu: "cpu_avg",
    memory: "memory_avg",
    group_cpu: "group_cpu_avg",
    group_memory: "group_memory_avg",
  },
};

interface SummaryRow {
  instance_id: number;
  app: string;
  samples: number;
  cpu_n: number;
  cpu_min: number | null;
  cpu_avg: number | null;
  cpu_max: number | null;
  memory_n: number;
  memory_min: number;
  memory_avg: number;
  memory_max: number;
  gcpu_n: number;
  gcpu_min: number | null;
  gcpu_avg: number | null;
  gcpu_max: number | null;
  gmem_min: number;
  gmem_avg: number;
  gmem_max: number;
}

/**
 * Prepared statements over `stats` and `stats_minute`, made once.
 *
 * @example
 * ```ts
 * const stats = new StatsStatements(store.db);
 * store.transaction(() => stats.insertSamples(rows));
 * stats.rollup(Date.now());
 * const { points } = stats.query({ apps: ["api"], since: Date.now() - 3_600_000, until: Date.now(), maxPoints: 72 });
 * ```
 */
export class StatsStatements {
  readonly #now: () => number;
  readonly #rawRetentionMs: number;
  readonly #insert: StatementSync;
  readonly #rollup: StatementSync;
  readonly #firstRawAt: StatementSync;
  readonly #lastMinuteAt: StatementSync;
  readonly #pruneRaw: StatementSync;
  readonly #pruneMinutes: StatementSync;
  readonly #points = new Map<string, StatementSync>();
  readonly #summaries = new Map<string, StatementSync>();
  readonly #p95 = new Map<string, StatementSync>();
  readonly #idsOfApps = new Map<Source, StatementSync>();
  #rolledUntil: number | null = null;

  /**
   * Prepares every statement.
   *
   * @param db an open database migrated to at least 0002_stats
   * @param options the clock and the raw retention, which decide a query's source
   */
  constructor(db: DatabaseSync, options: StatsOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#rawRetentionMs = options.rawRetentionMs ?? RAW_RETENTION_MS;
    this.#insert = db.prepare(
      `INSERT OR REPLACE INTO stats (at, instance_id, app, pid, cpu, memory, group_cpu,
         group_memory) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#rollup = db.prepare(
      `INSERT OR REPLACE INTO stats_minute (instance_id, at, app, samples, cpu_min, cpu_avg,
         cpu_max, memory_min, memory_avg, memory_max, group_cpu_avg, group_cpu_max,
         group_memory_avg, group_memory_max)
       SELECT instance_id, (at / ${MINUTE_MS}) * ${MINUTE_MS} AS minute, min(app), count(*),
         min(cpu), avg(cpu), max(cpu), min(memory), CAST(avg(memory) AS INTEGER), max(memory),
         avg(group_cpu), max(group_cpu), CAST(avg(group_memory) AS INTEGER), max(group_memory)
       FROM stats WHERE at >= ? AND at < ? GROUP BY instance_id, minute`,
    );
    this.#firstRawAt = db.prepare("SELECT min(at) AS at FROM stats WHERE at >= ?");
    this.#lastMinuteAt = db.prepare("SELECT max(at) AS at FROM stats_minute");
    this.#pruneRaw = db.prepare(
      `DELETE FROM stats WHERE (instance_id, at) IN
         (SELECT instance_id, at FROM stats WHERE at < ? ORDER BY at LIMIT ?)`,
    );
    this.#pruneMinutes = db.prepare(
      `DELETE FROM stats_minute WHERE (instance_id, at) IN
         (SELECT instance_id, at FROM stats_minute WHERE at < ? ORDER BY at LIMIT ?)`,
    );
    this.#prepareReads(db);
  }

  #prepareReads(db: DatabaseSync): void {
    for (const source of SOURCES) {
      // Covered by the (app, at) index, whose entries carry the key: no row is read.
      this.#idsOfApps.set(
        source,
        db.prepare(
          `SELECT DISTINCT instance_id FROM ${SUMMARY[source].table}
           WHERE app IN (SELECT value FROM json_each(?)) AND at >= ? AND at <= ?`,
        ),
      );
      for (const shape of SHAPES) {
        const sql = source === "raw" ? rawPointsSql : mixedPointsSql;
        this.#points.set(`${source}:${shape}`, db.prepare(sql(FILTERS[shape])));
        const s = SUMMARY[source];
        this.#summaries.set(
          `${source}:${shape}`,
          db.prepare(
            `SELECT instance_id, min(app) AS app, ${s.columns} FROM ${s.table}
             WHERE ${FILTERS[shape]} at >= ? AND at <= ? GROUP BY instance_id ORDER BY instance_id`,
          ),
        );
      }
      for (const measure of ["cpu", "memory", "group_cpu", "group_memory"] as const) {
        const column = SUMMARY[source][measure];
        this.#p95.set(
          `${source}:${measure}`,
          db.prepare(
            `SELECT ${column} AS value FROM ${SUMMARY[source].table}
             WHERE instance_id = ? AND at >= ? AND at <= ? AND ${column} IS NOT NULL
             ORDER BY ${column} DESC LIMIT 1 OFFSET ?`,
          ),
        );
      }
    }
  }

  /**
   * Appends the samples of one tick. Caller must wrap the call in one transaction per tick.
   *
   * @param samples the rows; a second sample of an instance at the same ms replaces the first
   */
  insertSamples(samples: readonly StatsRow[]): void {
    for (const s of samples) {
      this.#insert.run(
        s.at,
        s.instance_id,
        s.app,
        s.pid,
        s.cpu,
        s.memory,
        s.group_cpu,
        s.group_memory,
      );
    }
  }

  /**
   * Aggregates complete minutes of raw rows before `untilMs` into `stats_minute`, at most
   * ROLLUP_CHUNK_MINUTES per call, continuing where the previous call stopped. Re-running a
   * minute replaces its row, so the rollup is idempotent. Call it every tick or every minute.
   *
   * @param untilMs usually now; the minute containing it is not complete and is left alone
   * @param options at most `maxMinutes` minutes this call (default ROLLUP_CHUNK_MINUTES)
   * @returns the number of minute rows written (0 once every complete minute is rolled up)
   */
  rollup(untilMs: number, options: { maxMinutes?: number } = {}): number {
    const end = Math.floor(untilMs / MINUTE_MS) * MINUTE_MS;
    let from = this.#rolledUntil ?? this.#startOfRollup();
    if (from >= end) return 0;
    const first = (this.#firstRawAt.get(from) as { at: number | null }).at;
    if (first === null || first >= end) {
      this.#rolledUntil = end;
      return 0;
    }
    from = Math.max(from, Math.floor(first / MINUTE_MS) * MINUTE_MS);
    const minutes = Math.max(1, options.maxMinutes ?? ROLLUP_CHUNK_MINUTES);
    const to = Math.min(end, from + minutes * MINUTE_MS);
    const written = Number(this.#rollup.run(from, to).changes);
    this.#rolledUntil = to;
    return written;
  }

  /** After a restart: the minute after the last one rolled up (0 when there is none). */
  #startOfRollup(): number {
    const last = (this.#lastMinuteAt.get() as { at: number | null }).at;
    return last === null ? 0 : last + MINUTE_MS;
  }

  /**
   * Deletes up to `limit` raw rows older than `olderThanMs`, oldest first.
   *
   * @returns how many rows were deleted; the caller repeats on later ticks while it is `limit`
   */
  pruneRaw(olderThanMs: number, limit: number): number {
    return Number(this.#pruneRaw.run(olderThanMs, limit).changes);
  }

  /**
   * Deletes up to `limit` minute rows older than `olderThanMs`, oldest first.
   *
   * @returns how many rows were deleted; the caller repeats on later ticks while it is `limit`
   */
  pruneMinutes(olderThanMs: number, limit: number): number {
    return Number(this.#pruneMinutes.run(olderThanMs, limit).changes);
  }

  /**
   * Reads the points of a window, per instance. Buckets shorter than a minute (or no
   * `maxPoints`) within raw retention read raw rows; otherwise buckets are whole minutes, read
   * from the rollups up to where the rollup has got, then from raw rows, so that a day-long
   * chart reads 1440 rows per instance instead of 43200.
   *
   * @param query the targets (all instances when neither is given) and the window
   * @returns the points, ordered by instance then time, with their source and bucket length
   */
  query(query: StatsQuery): StatsResult {
    const { since, until } = query;
    const span = Math.max(1, until - since + 1);
    const wanted = query.maxPoints && query.maxPoints > 0 ? Math.ceil(span / query.maxPoints) : 1;
    if (wanted < MINUTE_MS && this.#sourceFor(since) === "raw") {
      const [shape, filter] = this.#filter(query, [["raw", since, until]]);
      const statement = this.#points.get(`raw:${shape}`) as StatementSync;
      const rows = statement.all(
        since,
        since,
        wanted,
        wanted,
        ...filter,
        since,
        until,
        since,
        wanted,
      );
      return {
        source: "raw",
        step_ms: wanted === 1 ? 0 : wanted,
        points: rows as unknown as StatsPoint[],
      };
    }
    const step = Math.ceil(wanted / MINUTE_MS) * MINUTE_MS;
    const base = Math.floor(since / MINUTE_MS) * MINUTE_MS;
    const cut = this.#rolledUntil ?? this.#startOfRollup();
    const [shape, filter] = this.#filter(query, [
      ["minute", base, Math.min(cut, until + 1) - 1],
      ["raw", Math.max(cut, since), until],
    ]);
    const statement = this.#points.get(`minute:${shape}`) as StatementSync;
    const rows = statement.all(
      ...[base, base, step, step, ...filter, base, Math.min(cut, until + 1)],
      ...[...filter, Math.max(cut, since), until, base, step],
    );
    return { source: "minute", step_ms: step, points: rows as unknown as StatsPoint[] };
  }

  /**
   * Min, average, 95th percentile (nearest rank) and max of cpu and memory per instance over a
   * window. From minute rollups, min and max are exact and p95 is taken over minute averages.
   *
   * @param query the targets (all instances when neither is given) and the window
   * @returns one summary per instance that has samples in the window, ordered by instance id
   */
  summary(query: Omit<StatsQuery, "maxPoints">): StatsSummary[] {
    const source = this.#sourceFor(query.since);
    const [shape, filter] = this.#filter(query, [[source, query.since, query.until]]);
    const statement = this.#summaries.get(`${source}:${shape}`) as StatementSync;
    const rows = statement.all(...filter, query.since, query.until) as unknown as SummaryRow[];
    return rows.map((row) => ({
      instance_id: row.instance_id,
      app: row.app,
      samples: row.samples,
      source,
      cpu: row.cpu_n === 0 ? null : {
        min: row.cpu_min as number,
        avg: row.cpu_avg as number,
        p95: this.#p95Of(source, "cpu", row.instance_id, row.cpu_n, query),
        max: row.cpu_max as number,
      },
      memory: {
        min: row.memory_min,
        avg: row.memory_avg,
        p95: this.#p95Of(source, "memory", row.instance_id, row.memory_n, query),
        max: row.memory_max,
      },
      group_cpu: row.gcpu_n === 0 ? null : {
        min: row.gcpu_min as number,
        avg: row.gcpu_avg as number,
        p95: this.#p95Of(source, "group_cpu", row.instance_id, row.gcpu_n, query),
        max: row.gcpu_max as number,
      },
      group_memory: {
        min: row.gmem_min,
        avg: row.gmem_avg,
        p95: this.#p95Of(source, "group_memory", row.instance_id, row.memory_n, query),
        max: row.gmem_max,
      },
    }));
  }

  #p95Of(source: Source, measure: string, id: number, n: number, q: StatsQuery): number {
    const statement = this.#p95.get(`${source}:${measure}`) as StatementSync;
    // Nearest rank ceil(0.95 n), counted from the top: the sorter then keeps only the top 5 %.
    const offset = Math.max(0, n - Math.ceil(0.95 * n));
    const row = statement.get(id, q.since, q.until, offset) as { value: number } | undefined;
    return row?.value ?? 0;
  }

  /**
   * The filter of a query; an apps filter also gets the apps' instance ids found in the
   * windows given (inclusive bounds), so that the rows are read along the primary key.
   */
  #filter(
    query: Pick<StatsQuery, "instanceIds" | "apps">,
    windows: Array<[Source, number, number]>,
  ): [Shape, SQLInputValue[]] {
    const [shape, filter] = filterOf(query);
    if (shape !== "apps") return [shape, filter];
    const ids = new Set<number>();
    for (const [source, from, to] of windows) {
      if (from > to) continue;
      const statement = this.#idsOfApps.get(source) as StatementSync;
      for (const row of statement.all(filter[0]!, from, to)) {
        ids.add((row as { instance_id: number }).instance_id);
      }
    }
    return ["apps_ids", [JSON.stringify([...ids]), filter[0]!]];
  }

  #sourceFor(since: number): Source {
    return since >= this.#now() - this.#rawRetentionMs ? "raw" : "minute";
  }
}

function filterOf(query: Pick<StatsQuery, "instanceIds" | "apps">): [Shape, SQLInputValue[]] {
  const ids = query.instanceIds;
  const apps = query.apps;
  if (ids && apps) return ["both", [JSON.stringify(ids), JSON.stringify(apps)]];
  if (ids) return ["ids", [JSON.stringify(ids)]];
  if (apps) return ["apps", [JSON.stringify(apps)]];
  return ["all", []];
}
