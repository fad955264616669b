// deno-lint-ignore-file no-console -- run alone, it prints its numbers
/**
 * 10. Memory under churn (#17): the bundled daemon (auto-started by dist/adasa, as users get it)
 * is measured idle, then through three phases, each reported as RSS (as `ps` shows it), PSS and
 * anonymous memory before, right after, and after a settle of idle time:
 *
 * - `cycles` start/stop cycles of `sleep` instances: one app of `lanes` instances, started and
 *   stopped `cycles / lanes` times (each instance's stop waits for its group to end, and a
 *   stop scans /proc for escaped descendants, about 70 ms on this machine: one instance at a
 *   time would not fit the full run's 90 s);
 * - `cycles` start/delete cycles in `lanes` parallel lanes, a new app each time (a deploy
 *   script's churn), each printing one line, so each has a log file open while it lives;
 * - `connections` client connections in bursts of `burst` at once, each connecting, sending
 *   one `list`, reading its reply and closing.
 *
 * Alone, with an A/B against another build (its dist/adasa), run by run alternating:
 *
 *   deno run -A bench/scenarios/churn.ts [--cycles 1000] [--connections 1200] [--runs 1]
 *     [--baseline /path/to/other/dist/adasa] [--settle 5000]
 *
 * Every process started here is stopped by pid at the end.
 */
import { parseArgs } from "node:util";
import { AdasaClient } from "../../src/ipc/client.ts";
import { cleanupAll, type MemoryFigures, memoryOf, ROOT, sleep, stats } from "../_util.ts";
import { startDaemonThroughCli } from "../peers/adasa.ts";
import type { Row, ScenarioContext } from "./types.ts";

export interface ChurnPlan {
  cycles: number;
  connections: number;
  /** Connections open at once in the storm. */
  burst: number;
  /** Idle time before the "settled" reading. */
  settleMs: number;
  /** Instances cycled at once. */
  lanes: number;
  /** Cycles run before the first "before" reading (first use of code paths, JIT). */
  warmup: number;
}

export const CHURN_FULL: ChurnPlan = {
  cycles: 1000,
  connections: 1200,
  burst: 100,
  settleMs: 5000,
  lanes: 8,
  warmup: 40,
};
export const CHURN_QUICK: ChurnPlan = { ...CHURN_FULL, cycles: 200, settleMs: 3000 };

/** One phase's three readings. */
export interface PhaseMemory {
  before: MemoryFigures;
  after: MemoryFigures;
  settled: MemoryFigures;
  ms: number;
}

export interface ChurnResult {
  idle: MemoryFigures;
  /** After the warm-up cycles: the first phase's "before". */
  warm: MemoryFigures;
  stop: PhaseMemory;
  delete: PhaseMemory;
  storm: PhaseMemory;
}

const APP = { command: "sleep", args: ["3600"], cwd: "/tmp" };

async function settledOf(pid: number, ms: number): Promise<MemoryFigures> {
  await sleep(ms);
  return memoryOf(pid);
}

/**
 * Starts and stops a daemon of `cli` once: the first run of a new bundle compiles it eagerly
 * for Deno's code cache and stays about 15 MB larger, which no later start sees.
 */
export async function warmBundle(cli: string): Promise<void> {
  await (await startDaemonThroughCli(cli, "adasa-churn-")).stop();
}

/** Runs the three phases on one fresh daemon of `cli`. */
export async function churnOnce(
  cli: string,
  plan: ChurnPlan,
  log: (m: string) => void = () => {},
): Promise<ChurnResult> {
  const daemon = await startDaemonThroughCli(cli, "adasa-churn-");
  const { pid, home } = daemon;
  try {
    const client = await AdasaClient.connect({ home });
    try {
      const idle = await settledOf(pid, plan.settleMs);
      const phase = async (body: () => Promise<void>, before: MemoryFigures) => {
        const t0 = performance.now();
        await body();
        const ms = performance.now() - t0;
        const after = memoryOf(pid);
        return { before, after, settled: await settledOf(pid, plan.settleMs), ms };
      };
      const base = { ...APP, base_env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" } };
      // Apps that print a line, so each has a log file open while it lives, as real apps do.
      const printing = { ...base, command: "sh", args: ["-c", "echo up; exec sleep 3600"] };
      const lanes = Array.from({ length: plan.lanes }, (_, k) => k);
      const cycleApp = async (rounds: number) => {
        for (let i = 0; i < rounds; i++) {
          await client.request("start", { targets: ["churn"] });
          await client.request("stop", { targets: ["churn"] });
        }
      };
      let made = 0;
      const createDelete = (n: number) =>
        Promise.all(lanes.map(async () => {
          while (made < n) {
            const name = `churn-${made++}`;
            await client.request("start", { app: { name, ...printing } });
            await client.request("delete", { targets: [name] });
          }
        }));
      await client.request("start", { app: { name: "churn", ...base, instances: plan.lanes } });
      await client.request("stop", { targets: ["churn"] });
      await cycleApp(Math.ceil(plan.warmup / plan.lanes));
      await createDelete(plan.warmup);
      const warm = await settledOf(pid, plan.settleMs);
      const stop = await phase(() => cycleApp(Math.ceil(plan.cycles / plan.lanes)), warm);
      await client.request("delete", { targets: ["churn"] });
      log(`churn: ${plan.cycles} start/stop cycles in ${(stop.ms / 1000).toFixed(1)} s`);
      made = 0;
      const del = await phase(() => createDelete(plan.cycles).then(() => {}), stop.settled);
      log(`churn: ${plan.cycles} start/delete cycles in ${(del.ms / 1000).toFixed(1)} s`);
      const storm = await phase(async () => {
        for (let done = 0; done < plan.connections;) {
          const n = Math.min(plan.burst, plan.connections - done);
          await Promise.all(Array.from({ length: n }, async () => {
            const c = await AdasaClient.connect({ home });
            try {
              await c.request("list");
            } finally {
              c.close();
            }
          }));
          done += n;
        }
      }, del.settled);
      log(`churn: ${plan.connections} connections in ${(storm.ms / 1000).toFixed(1)} s`);
      return { idle, warm, stop, delete: del, storm };
    } finally {
      client.close();
    }
  } finally {
    await daemon.stop();
  }
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

/** "RSS 40.1 → 45.2 → 41.0 MB (+0.9)" for one measure of a phase. */
function line(p: PhaseMemory, k: keyof MemoryFigures): string {
  const d = (p.settled[k] - p.before[k]) / 1e6;
  return `${k === "anon" ? "anon" : k.toUpperCase()} ${mb(p.before[k])} → ${mb(p.after[k])} → ${
    mb(p.settled[k])
  } (${d >= 0 ? "+" : ""}${d.toFixed(1)})`;
}

/** The scenario of `deno task bench`: one daemon, three rows (settled RSS growth, in MB). */
export async function churn(ctx: ScenarioContext, cli: string): Promise<Row[]> {
  const plan = ctx.quick ? CHURN_QUICK : CHURN_FULL;
  await warmBundle(cli);
  const r = await churnOnce(cli, plan, ctx.log);
  const rows: Array<[string, string, PhaseMemory]> = [
    [
      "churn-stop",
      `${plan.cycles} start/stop cycles (one app of ${plan.lanes} instances, ${
        Math.ceil(plan.cycles / plan.lanes)
      } times)`,
      r.stop,
    ],
    ["churn-delete", `${plan.cycles} start/delete cycles, ${plan.lanes} at a time`, r.delete],
    ["churn-storm", `${plan.connections} connections, ${plan.burst} at a time`, r.storm],
  ];
  return rows.map(([key, what, p]) => ({
    key,
    title: `10. Daemon RSS growth after ${what} and ${
      plan.settleMs / 1000
    } s idle (bundled daemon)`,
    unit: "MB",
    lowerIsBetter: true,
    values: {
      adasa: {
        value: (p.settled.rss - p.before.rss) / 1e6,
        note: `${line(p, "rss")}, ${line(p, "pss")}, ${line(p, "anon")} MB (before → after → ` +
          `settled); ${(p.ms / 1000).toFixed(1)} s` +
          (key === "churn-stop"
            ? `; fresh daemon idle RSS ${mb(r.idle.rss)} MB, ${mb(r.warm.rss)} after ` +
              `${plan.warmup} warm-up cycles of each kind`
            : ""),
      },
    },
  }));
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      cycles: { type: "string", default: String(CHURN_FULL.cycles) },
      connections: { type: "string", default: String(CHURN_FULL.connections) },
      burst: { type: "string", default: String(CHURN_FULL.burst) },
      settle: { type: "string", default: String(CHURN_FULL.settleMs) },
      lanes: { type: "string", default: String(CHURN_FULL.lanes) },
      warmup: { type: "string", default: String(CHURN_FULL.warmup) },
      runs: { type: "string", default: "1" },
      baseline: { type: "string" },
    },
  });
  const plan: ChurnPlan = {
    cycles: Number(values.cycles),
    connections: Number(values.connections),
    burst: Number(values.burst),
    settleMs: Number(values.settle),
    lanes: Number(values.lanes),
    warmup: Number(values.warmup),
  };
  const runs = Number(values.runs);
  if (
    ![plan.cycles, plan.connections, plan.burst, runs].every((n) => Number.isInteger(n) && n > 0)
  ) {
    console.error("churn: --cycles, --connections, --burst and --runs take positive integers");
    Deno.exit(2);
  }
  const variants = [{ name: "this tree", cli: `${ROOT}dist/adasa` }];
  if (values.baseline) variants.unshift({ name: "baseline", cli: values.baseline });
  const results = new Map(variants.map((v) => [v.name, [] as ChurnResult[]]));
  try {
    for (const v of variants) await warmBundle(v.cli);
    for (let r = 0; r < runs; r++) {
      for (const v of r % 2 ? [...variants].reverse() : variants) {
        console.log(`run ${r + 1} of ${runs}: ${v.name}`);
        results.get(v.name)!.push(await churnOnce(v.cli, plan, console.log));
      }
    }
    const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
    console.log(`\nMB (10^6 bytes), median of ${runs} run(s); load average now ${load}`);
    for (const v of variants) {
      const all = results.get(v.name)!;
      const med = (f: (c: ChurnResult) => number) => stats(all.map(f)).median;
      const fig = (f: (c: ChurnResult) => MemoryFigures): MemoryFigures => ({
        rss: med((c) => f(c).rss),
        pss: med((c) => f(c).pss),
        anon: med((c) => f(c).anon),
      });
      const phase = (k: "stop" | "delete" | "storm"): PhaseMemory => ({
        before: fig((c) => c[k].before),
        after: fig((c) => c[k].after),
        settled: fig((c) => c[k].settled),
        ms: med((c) => c[k].ms),
      });
      console.log(
        `${v.name}: idle RSS ${mb(fig((c) => c.idle).rss)}, after ${plan.warmup} warm-up ` +
          `cycles ${mb(fig((c) => c.warm).rss)}`,
      );
      for (const k of ["stop", "delete", "storm"] as const) {
        const p = phase(k);
        console.log(
          `  ${k.padEnd(7)} ${line(p, "rss")}  ${line(p, "pss")}  ${line(p, "anon")}  ${
            (p.ms / 1000).toFixed(1)
          } s`,
        );
      }
    }
  } finally {
    await cleanupAll();
  }
}
