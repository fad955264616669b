/**
 * The sampling tick: one pass over /proc for every running instance, live figures for
 * `list`, limit checks, and the samples written in one transaction. Rollup and pruning run in
 * slices of one minute of samples and PRUNE_CHUNK_ROWS rows, never on the start path: the first
 * slice comes with the first tick, after the daemon answers; while a slice finds more to do
 * (the daemon was down for a while, or started on a long history), the next one follows
 * SLICE_GAP_MS later, so requests are served between slices. Samples a full disk rejects are
 * dropped and counted; supervision goes on.
 */
import { getLogger, logIfSlow } from "../logger.ts";
import {
  checkLimits,
  INITIAL_LIMIT_STATE,
  type LimitState,
  type LimitViolation,
  type Sample,
  Sampler,
} from "../monitor/mod.ts";
import { MINUTE_RETENTION_MS, RAW_RETENTION_MS, type Store } from "../store/mod.ts";
import type { Instance, Supervisor } from "../supervisor/mod.ts";
import { formatPercent, formatSize } from "../model/units.ts";

/** Default time between samples. ADASA_SAMPLE_INTERVAL_MS overrides it. */
export const DEFAULT_SAMPLE_INTERVAL_MS = 2_000;
const PRUNE_CHUNK_ROWS = 2_000;
const ROLLUP_SLICE_MINUTES = 1;
const HOUSEKEEPING_MS = 30_000;
const SLICE_GAP_MS = 20;
const SLICE_SLOW_MS = 100;
const STATS_SLOW_MS = 100;

/** How long the recent sampling ticks took (`daemon status --json`; #17). */
export interface TickFigures {
  /** The newest tick's duration in ms, null before the first tick. */
  last_ms: number | null;
  /** The median of the last TICKS_KEPT ticks, in ms. */
  median_ms: number | null;
  /** Ticks since the daemon started. */
  ticks: number;
  /** Running instances the newest tick sampled. */
  instances: number;
}

/** Tick durations kept for the median: a minute at the default interval. */
export const TICKS_KEPT = 30;

export interface Monitoring extends Disposable {
  /** The latest sample of an instance, while it runs. */
  latest(instanceId: number): Sample | undefined;
  /** Samples a failed write dropped since the daemon started. */
  readonly droppedSamples: number;
  /** Forgets the limit counts of removed instances. */
  forget(instanceIds: Iterable<number>): void;
  /** Instances with a limit count held (for tests of what a delete frees). */
  readonly heldLimitStates: number;
  /** Durations of the recent ticks. */
  tickFigures(): TickFigures;
}

/** The durations of the last TICKS_KEPT ticks, in a ring that allocates nothing per tick. */
class TickTimes {
  readonly #ms = new Float64Array(TICKS_KEPT);
  #count = 0;
  #instances = 0;

  add(ms: number, instances: number): void {
    this.#ms[this.#count % TICKS_KEPT] = ms;
    this.#count++;
    this.#instances = instances;
  }

  figures(): TickFigures {
    if (this.#count === 0) return { last_ms: null, median_ms: null, ticks: 0, instances: 0 };
    const kept = this.#ms.slice(0, Math.min(this.#count, TICKS_KEPT)).sort();
    const mid = (kept.length - 1) / 2;
    return {
      last_ms: this.#ms[(this.#count - 1) % TICKS_KEPT]!,
      median_ms: (kept[Math.floor(mid)]! + kept[Math.ceil(mid)]!) / 2,
      ticks: this.#count,
      instances: this.#instances,
    };
  }
}

export function startMonitoring(
  options: { store: Store; supervisor: Supervisor; intervalMs?: number; onTick?: () => void },
): Monitoring {
  const { store, supervisor } = options;
  const sampler = new Sampler();
  const latest = new Map<number, Sample>();
  const limitStates = new Map<number, LimitState>();
  const counters = { dropped: 0 };
  const intervalMs = options.intervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS;
  let lastHousekeeping = 0;
  let slices: ReturnType<typeof setTimeout> | undefined;
  const upkeep = () => {
    slices = undefined;
    const started = performance.now();
    const more = housekeeping(store);
    logIfSlow("stats rollup and pruning slice", started, SLICE_SLOW_MS);
    if (more) slices = setTimeout(upkeep, SLICE_GAP_MS);
  };
  const times = new TickTimes();
  const tick = () => {
    const started = performance.now();
    const running = runningInstances(supervisor);
    const samples = sampler.sample(running.map((i) => ({ id: i.id, pid: i.pid! })));
    latest.clear();
    for (const sample of samples) latest.set(sample.instance_id, sample);
    persistSamples(store, supervisor, samples, counters);
    for (const sample of samples) enforceLimits(supervisor, sample, limitStates);
    // Rollups are per minute: once every 30 s is enough, and it keeps idle ticks cheap.
    if (slices === undefined && Date.now() - lastHousekeeping >= HOUSEKEEPING_MS) {
      lastHousekeeping = Date.now();
      upkeep();
    }
    options.onTick?.();
    times.add(performance.now() - started, running.length);
    logIfSlow("stats update", started, STATS_SLOW_MS);
  };
  const timer = setInterval(tick, intervalMs);
  return {
    latest: (id) => latest.get(id),
    get droppedSamples() {
      return counters.dropped;
    },
    forget(instanceIds) {
      for (const id of instanceIds) limitStates.delete(id);
    },
    get heldLimitStates() {
      return limitStates.size;
    },
    tickFigures: () => times.figures(),
    [Symbol.dispose]: () => {
      clearInterval(timer);
      clearTimeout(slices);
      sampler[Symbol.dispose]();
    },
  };
}

function runningInstances(supervisor: Supervisor): Instance[] {
  const out: Instance[] = [];
  for (const app of supervisor.apps()) {
    for (const instance of app.instances) if (instance.pid !== null) out.push(instance);
  }
  return out;
}

function persistSamples(
  store: Store,
  supervisor: Supervisor,
  samples: Sample[],
  counters: { dropped: number },
): void {
  if (samples.length === 0) return;
  const rows = samples.map((s) => ({
    ...s,
    app: supervisor.instance(s.instance_id)?.spec.name ?? "?",
  }));
  try {
    store.transaction(() => store.stats.insertSamples(rows));
  } catch (error) {
    counters.dropped += rows.length;
    getLogger("monitor").warn("Dropped {n} samples: {error}", {
      n: rows.length,
      error: String(error),
    });
  }
}

function enforceLimits(
  supervisor: Supervisor,
  sample: Sample,
  states: Map<number, LimitState>,
): void {
  const instance = supervisor.instance(sample.instance_id);
  if (!instance) return;
  const spec = instance.spec;
  if (spec.max_memory === null && spec.max_cpu === null) return;
  const { state, violation } = checkLimits(
    {
      ...(spec.max_memory !== null ? { max_memory: spec.max_memory } : {}),
      ...(spec.max_cpu !== null ? { max_cpu: spec.max_cpu } : {}),
      samples: spec.limit_samples,
      action: spec.limit_action,
    },
    states.get(instance.id) ?? INITIAL_LIMIT_STATE,
    sample,
  );
  states.set(instance.id, state);
  if (violation) actOnViolation(supervisor, instance, violation);
}

function actOnViolation(supervisor: Supervisor, instance: Instance, v: LimitViolation): void {
  const figures = v.kind === "memory"
    ? `memory ${formatSize(v.value)} over max_memory ${formatSize(v.limit)}`
    : `cpu ${formatPercent(v.value)} over max_cpu ${formatPercent(v.limit)}`;
  const reason = `${figures} for ${v.samples} samples; action ${v.action}`;
  supervisor.recordInstanceEvent(instance, "limit_exceeded", reason);
  getLogger("monitor").warn("Instance {id}: {reason}", { id: instance.id, reason });
  const act = v.action === "restart"
    ? supervisor.restart([instance], { reason })
    : v.action === "stop"
    ? supervisor.stop([instance])
    : Promise.resolve();
  act.catch((error) =>
    getLogger("monitor").error("Limit action failed: {error}", { error: String(error) })
  );
}

/**
 * Rolls up one finished minute and prunes one chunk of old rows of each table.
 *
 * @returns whether there is more to do at once (a backlog)
 */
function housekeeping(store: Store): boolean {
  const now = Date.now();
  try {
    return store.transaction(() => {
      const rolled = store.stats.rollup(now, { maxMinutes: ROLLUP_SLICE_MINUTES });
      const raw = store.stats.pruneRaw(now - RAW_RETENTION_MS, PRUNE_CHUNK_ROWS);
      const minutes = store.stats.pruneMinutes(now - MINUTE_RETENTION_MS, PRUNE_CHUNK_ROWS);
      return rolled > 0 || raw === PRUNE_CHUNK_ROWS || minutes === PRUNE_CHUNK_ROWS;
    });
  } catch (error) {
    getLogger("monitor").warn("Stats housekeeping failed: {error}", { error: String(error) });
    return false;
  }
}
