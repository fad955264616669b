/**
 * 10. Adasa only: one bundled daemon (dist/adasad.js) with 10, 100 and 1,000 `sleep 3600` apps.
 * At each size: `adasa start apps.json` (the command's time, and until every app's process is
 * alive), `adasa list --json`, an idle CPU window (/proc/PID/stat of the daemon), the sampling
 * tick's duration (`daemon status --json`), RSS, PSS and anonymous memory per app, and
 * `adasa stop all` (until every process is gone). The per-app figures must not grow with N.
 */
import { CLOCK_TICKS_PER_SECOND } from "../../src/monitor/proc.ts";
import {
  childrenOf,
  cpuTicksOf,
  isAlive,
  memoryOf,
  onCleanup,
  run,
  sleep,
  stats,
} from "../_util.ts";
import { type AdasaDaemon, CLI, startAdasaDaemon } from "../peers/adasa.ts";
import type { Measure, Row, ScenarioContext } from "./types.ts";

export const SCALE_SIZES = [10, 100, 1000] as const;

/** Live children of the daemon that are `sleep` (not zombies). */
function liveSleeps(daemonPid: number): number {
  return childrenOf(daemonPid).filter(isAlive).length;
}

async function waitUntil(pred: () => boolean, ms: number, what: string): Promise<number> {
  const t0 = performance.now();
  while (!pred()) {
    if (performance.now() - t0 > ms) throw new Error(`scale: ${what} not reached in ${ms} ms`);
    await sleep(25);
  }
  return performance.now() - t0;
}

interface SizeFigures {
  n: number;
  startCli: number;
  startAlive: number;
  list: number[];
  cpu: number;
  cpuWindowS: number;
  tickLast: number;
  tickMedian: number;
  rss: number;
  pss: number;
  anon: number;
  stopCli: number;
  stopGone: number;
  load: string;
}

async function measureSize(
  ctx: ScenarioContext,
  d: AdasaDaemon,
  tmp: string,
  n: number,
  cpuWindowS: number,
): Promise<SizeFigures> {
  const cli = (args: string[], okCodes = [0]) => run(CLI, args, { env: d.env, cwd: tmp, okCodes });
  const file = `${tmp}/scale-${n}.json`;
  const apps = Array.from({ length: n }, (_, i) => ({
    name: `s${n}-${i}`,
    command: "sleep",
    args: ["3600"],
    cwd: "/tmp",
  }));
  await Deno.writeTextFile(file, JSON.stringify({ apps }));
  const t0 = performance.now();
  let aliveAt = 0;
  const poll = (async () => {
    // Every 25 ms: reading 1,000 children's /proc entries more often would slow the start.
    while (liveSleeps(d.pid) < n) {
      if (performance.now() - t0 > 120_000) return;
      await sleep(25);
    }
    aliveAt = performance.now() - t0;
  })();
  const start = await cli(["start", file]);
  await poll;
  if (!aliveAt) throw new Error(`scale: ${n} apps not alive within 120 s`);
  // Two sampling ticks so that the tick figures and the latest samples cover every app.
  await sleep(4_500);
  const list: number[] = [];
  let rows = 0;
  for (let r = 0; r < (ctx.quick ? 5 : 7); r++) {
    const out = await cli(["list", "--json"]);
    rows = (JSON.parse(out.stdout) as unknown[]).length;
    list.push(out.ms);
  }
  if (rows !== n) throw new Error(`scale: list --json gave ${rows} rows, want ${n}`);
  const mem = memoryOf(d.pid);
  const before = cpuTicksOf(d.pid) ?? 0;
  const w0 = performance.now();
  await sleep(cpuWindowS * 1000);
  const ticks = (cpuTicksOf(d.pid) ?? 0) - before;
  const elapsed = (performance.now() - w0) / 1000;
  const status = JSON.parse((await cli(["daemon", "status", "--json"])).stdout) as {
    sample_tick?: { last_ms: number; median_ms: number; instances: number };
  };
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  const s0 = performance.now();
  const stop = await cli(["stop", "all"]);
  await waitUntil(() => liveSleeps(d.pid) === 0, 60_000, "all stopped");
  const stopGone = performance.now() - s0;
  await cli(["delete", "all"]);
  await waitUntil(() => childrenOf(d.pid).length === 0, 30_000, "all reaped");
  const f: SizeFigures = {
    n,
    startCli: start.ms,
    startAlive: aliveAt,
    list,
    cpu: (100 * ticks) / CLOCK_TICKS_PER_SECOND / elapsed,
    cpuWindowS,
    tickLast: status.sample_tick?.last_ms ?? NaN,
    tickMedian: status.sample_tick?.median_ms ?? NaN,
    rss: mem.rss,
    pss: mem.pss,
    anon: mem.anon,
    stopCli: stop.ms,
    stopGone,
    load,
  };
  ctx.log(
    `scale ${n}: start ${f.startCli.toFixed(0)} ms (alive ${f.startAlive.toFixed(0)} ms), list ` +
      `${stats(list).median.toFixed(1)} ms, cpu ${f.cpu.toFixed(2)} %, tick ` +
      `${f.tickMedian.toFixed(2)} ms, RSS ${(f.rss / 1e6).toFixed(1)} MB, stop ` +
      `${f.stopCli.toFixed(0)} ms; load ${load}`,
  );
  return f;
}

/** Runs the sizes on one fresh bundled daemon, smallest first. */
export async function scale(ctx: ScenarioContext): Promise<Row[]> {
  const tmp = await Deno.makeTempDir({ prefix: "adasa-bench-scale-" });
  onCleanup(() => Deno.remove(tmp, { recursive: true }).catch(() => {}));
  const d = await startAdasaDaemon(`${tmp}/home`);
  const figures: SizeFigures[] = [];
  const t0 = performance.now();
  let idle: ReturnType<typeof memoryOf>;
  try {
    // The baseline has the config loaders in (loaded on the first file, about 10 MB), so the
    // figure per app is what apps cost, not what the first `start <file>` loads once.
    const warm = `${tmp}/warm.json`;
    await Deno.writeTextFile(warm, JSON.stringify({ apps: [{ name: "warm", command: "true" }] }));
    await run(CLI, ["start", warm], { env: d.env, cwd: tmp, okCodes: [0, 1] });
    await run(CLI, ["delete", "all"], { env: d.env, cwd: tmp });
    await sleep(2_500);
    idle = memoryOf(d.pid);
    ctx.log(`scale: idle daemon with the config loaders in: RSS ${(idle.rss / 1e6).toFixed(1)} MB`);
    for (const n of SCALE_SIZES) {
      const window = ctx.quick ? (n >= 1000 ? 8 : 4) : (n >= 1000 ? 12 : 6);
      figures.push(await measureSize(ctx, d, tmp, n, window));
    }
  } finally {
    await d.stop();
  }
  ctx.log(`scale: ${((performance.now() - t0) / 1000).toFixed(0)} s in all`);
  return rowsOf(figures, idle);
}

function rowsOf(figures: SizeFigures[], idle: ReturnType<typeof memoryOf>): Row[] {
  const rows: Row[] = [];
  const add = (key: string, title: string, unit: Row["unit"], m: (f: SizeFigures) => Measure) => {
    for (const f of figures) {
      rows.push({
        key: `${key}-${f.n}`,
        title: `10. Scale, ${f.n} apps: ${title}`,
        unit,
        lowerIsBetter: true,
        values: { adasa: m(f) },
      });
    }
  };
  const perApp = (f: SizeFigures, k: "rss" | "pss" | "anon") => (f[k] - idle[k]) / f.n / 1e3;
  add("scale-start", "`adasa start apps.json`, until the CLI returns", "ms", (f) => ({
    value: f.startCli,
    note: `every process alive at ${f.startAlive.toFixed(0)} ms`,
  }));
  add("scale-list", "`adasa list --json`", "ms", (f) => {
    const s = stats(f.list);
    return { value: s.median, stats: s };
  });
  add("scale-tick", "sampling tick (median of the daemon's last ticks)", "ms", (f) => ({
    value: f.tickMedian,
    note: `last ${f.tickLast.toFixed(2)} ms`,
  }));
  add("scale-cpu", "idle daemon CPU (% of a core)", "%", (f) => ({
    value: f.cpu,
    note: `${f.cpuWindowS} s window, load ${f.load}`,
  }));
  add("scale-mem", "daemon memory per app above idle (kB: RSS; PSS, anon in the note)", "MB", (
    f,
  ) => ({
    value: perApp(f, "rss") / 1e3,
    note: `${perApp(f, "rss").toFixed(0)} kB RSS, ${perApp(f, "pss").toFixed(0)} kB PSS, ${
      perApp(f, "anon").toFixed(0)
    } kB anon per app; daemon RSS ${(f.rss / 1e6).toFixed(1)} MB`,
  }));
  add("scale-stop", "`adasa stop all`, until the CLI returns", "ms", (f) => ({
    value: f.stopCli,
    note: `every process gone at ${f.stopGone.toFixed(0)} ms`,
  }));
  return rows;
}

if (import.meta.main) {
  // deno run -A bench/scenarios/scale.ts [--quick]: this scenario alone, on the built dist/.
  const { cleanupAll } = await import("../_util.ts");
  const quick = Deno.args.includes("--quick");
  // deno-lint-ignore no-console
  const log = (m: string) => console.log(m);
  try {
    const rows = await scale({ peers: [], quick, runs: quick ? 5 : 20, log });
    const { goals, goalsText, table } = await import("./report.ts");
    log(table(rows, ["adasa"]));
    log(goalsText(goals(rows, false).filter((g) => g.text.startsWith("Scale"))));
  } finally {
    await cleanupAll();
  }
}
