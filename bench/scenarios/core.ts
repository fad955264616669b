/**
 * Scenarios 1–6 and 8 for every tool: CLI round trip, list, starting 100 apps (from a file and
 * one command at a time), crash to new child, daemon memory, idle CPU, and stopping 100 apps.
 * Latencies alternate the tools run by run, so drift on a shared machine spreads over all.
 */
import {
  baseEnv,
  childrenOf,
  cpuTicksOf,
  memoryOf,
  onCleanup,
  run,
  sleep,
  stats,
} from "../_util.ts";
import type { Measure, Peer, Row, ScenarioContext } from "./types.ts";

const CLOCK_TICKS_PER_SECOND = 100;
const APPS = 100;

/** The peers in a different order each run: run r starts with peer r mod n. */
export function rotated(peers: Peer[], r: number): Peer[] {
  const k = r % peers.length;
  return [...peers.slice(k), ...peers.slice(0, k)];
}

function latency(samples: number[], note?: string): Measure {
  const s = stats(samples);
  return { value: s.median, stats: s, ...(note ? { note } : {}) };
}

/** Waits until `pid` has at least (or, with `atMost`, at most) `n` children. */
async function waitChildren(pid: number, n: number, atMost = false, ms = 60_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (true) {
    const have = childrenOf(pid).length;
    if (atMost ? have <= n : have >= n) return;
    if (performance.now() > deadline) {
      throw new Error(`pid ${pid}: ${have} children after ${ms} ms, waiting for ${n}`);
    }
    await sleep(1);
  }
}

const appNames = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/**
 * An empty script run the way dist/adasa's shebang runs the CLI: what any `deno run` costs on
 * this machine, the floor of adasa's round trip.
 */
async function emptyDenoRun(): Promise<() => Promise<number>> {
  const dir = await Deno.makeTempDir({ prefix: "adasa-bench-floor-" });
  const script = `${dir}/empty.js`;
  await Deno.writeTextFile(script, "");
  onCleanup(() => Deno.remove(dir, { recursive: true }));
  const env = baseEnv(dir);
  const args = ["run", "--allow-all", "--no-config", "--no-lock", script];
  return async () => (await run(Deno.execPath(), args, { env })).ms;
}

/** 1. CLI round trip, and the floor of adasa's: an empty Deno script, in the same rotation. */
export async function ping(ctx: ScenarioContext): Promise<Row[]> {
  const floor = await emptyDenoRun();
  const samples = new Map<string, number[]>(ctx.peers.map((p) => [p.name, []]));
  const floorSamples: number[] = [];
  for (const p of ctx.peers) await p.ping(); // warm the page cache
  await floor();
  for (let r = 0; r < ctx.runs; r++) {
    for (const p of rotated(ctx.peers, r)) samples.get(p.name)!.push(await p.ping());
    floorSamples.push(await floor());
  }
  return [{
    key: "ping",
    title: "1. CLI round trip (whole process)",
    unit: "ms",
    lowerIsBetter: true,
    values: Object.fromEntries(ctx.peers.map((p) => [p.name, latency(samples.get(p.name)!)])),
    how: Object.fromEntries(ctx.peers.map((p) => [p.name, p.how.ping])),
  }, {
    key: "pingFloor",
    title: "1. Floor: an empty script through `deno run` (adasa column)",
    unit: "ms",
    lowerIsBetter: true,
    values: { adasa: latency(floorSamples) },
    how: { adasa: "deno run --allow-all --no-config --no-lock empty.js" },
  }];
}

/** 5. Daemon RSS, PSS and anonymous memory now, in MB. */
export function memory(ctx: ScenarioContext, key: string, title: string): Row[] {
  const rss: Record<string, Measure> = {};
  const pss: Record<string, Measure> = {};
  const anon: Record<string, Measure> = {};
  for (const p of ctx.peers) {
    const m = memoryOf(p.daemonPid);
    rss[p.name] = { value: m.rss / 1e6 };
    pss[p.name] = { value: m.pss / 1e6 };
    anon[p.name] = { value: m.anon / 1e6 };
  }
  const row = (suffix: string, name: string, values: Record<string, Measure>): Row => ({
    key: `${key}-${suffix}`,
    title: `${title}, ${name}`,
    unit: "MB",
    lowerIsBetter: true,
    values,
  });
  return [row("rss", "RSS", rss), row("pss", "PSS", pss), row("anon", "anonymous", anon)];
}

/** 4. SIGKILL the managed child; time until the daemon has a new child. */
export async function crash(ctx: ScenarioContext): Promise<Row> {
  for (const p of ctx.peers) await p.startCrashApp("crash");
  for (const p of ctx.peers) await waitChildren(p.daemonPid, 1);
  const samples = new Map<string, number[]>(ctx.peers.map((p) => [p.name, []]));
  for (let r = 0; r < ctx.runs; r++) {
    for (const p of rotated(ctx.peers, r)) {
      await sleep(200); // past every tool's min uptime, so no backoff applies
      await waitChildren(p.daemonPid, 1, false, 10_000);
      const before = new Set(childrenOf(p.daemonPid));
      const old = [...before][0]!;
      const t0 = performance.now();
      Deno.kill(old, "SIGKILL");
      samples.get(p.name)!.push(waitNewChild(p.daemonPid, before, t0));
    }
  }
  for (const p of ctx.peers) await p.removeAll();
  return {
    key: "crash",
    title: "4. Crash to new child (SIGKILL, restart delay 0)",
    unit: "ms",
    lowerIsBetter: true,
    values: Object.fromEntries(ctx.peers.map((p) => [p.name, latency(samples.get(p.name)!)])),
  };
}

/** Busy-polls /proc for a child not in `before`; returns ms since t0. */
function waitNewChild(pid: number, before: Set<number>, t0: number): number {
  while (true) {
    if (childrenOf(pid).some((c) => !before.has(c))) return performance.now() - t0;
    if (performance.now() - t0 > 20_000) throw new Error(`pid ${pid}: no new child in 20 s`);
  }
}

/**
 * 3 (from a file), 2, 5 (with 100), 6 and 8: rounds of start 100 from one file, then stop all;
 * in the first round, with 100 running, list runs, an idle CPU window and memory.
 */
export async function lifecycle(
  ctx: ScenarioContext,
  rounds: number,
  cpuWindowS: number,
): Promise<Row[]> {
  const names = appNames("app", APPS);
  const start = new Map<string, number[]>(ctx.peers.map((p) => [p.name, []]));
  const stop = new Map<string, number[]>(ctx.peers.map((p) => [p.name, []]));
  const list = new Map<string, number[]>(ctx.peers.map((p) => [p.name, []]));
  const rows: Row[] = [];
  const cpu: Record<string, Measure> = {};
  for (let round = 0; round < rounds; round++) {
    for (const p of rotated(ctx.peers, round)) {
      const base = childrenOf(p.daemonPid).length;
      const t0 = performance.now();
      await p.startFile(names);
      await waitChildren(p.daemonPid, base + APPS);
      start.get(p.name)!.push(performance.now() - t0);
    }
    if (round === 0) {
      for (const p of ctx.peers) await p.list();
      for (let r = 0; r < ctx.runs; r++) {
        for (const p of rotated(ctx.peers, r)) list.get(p.name)!.push(await p.list());
      }
      ctx.log(`idle CPU: ${cpuWindowS} s window, all daemons at once, ${APPS} apps each`);
      const t0 = performance.now();
      const before = ctx.peers.map((p) => cpuTicksOf(p.daemonPid) ?? 0);
      await sleep(cpuWindowS * 1000);
      const elapsed = (performance.now() - t0) / 1000;
      ctx.peers.forEach((p, i) => {
        const ticks = (cpuTicksOf(p.daemonPid) ?? 0) - before[i]!;
        cpu[p.name] = { value: (100 * ticks) / CLOCK_TICKS_PER_SECOND / elapsed };
      });
      rows.push(...memory(ctx, "mem100", `5. Daemon memory, ${APPS} processes`));
    }
    for (const p of rotated(ctx.peers, round)) {
      const t0 = performance.now();
      await p.stopAll();
      await waitChildren(p.daemonPid, 0, true);
      stop.get(p.name)!.push(performance.now() - t0);
    }
    for (const p of ctx.peers) await p.removeAll();
  }
  const per = (m: Map<string, number[]>) =>
    Object.fromEntries(ctx.peers.map((p) => [p.name, latency(m.get(p.name)!)]));
  const how = (k: "list" | "startFile" | "stop") =>
    Object.fromEntries(ctx.peers.map((p) => [p.name, p.how[k]]));
  return [
    {
      key: "list",
      title: `2. List with ${APPS} processes`,
      unit: "ms",
      lowerIsBetter: true,
      values: per(list),
      how: how("list"),
    },
    {
      key: "startFile",
      title: `3. Start ${APPS} from one config file, until all are alive (${rounds} rounds)`,
      unit: "ms",
      lowerIsBetter: true,
      values: per(start),
      how: how("startFile"),
    },
    ...rows,
    {
      key: "cpu",
      title: `6. Daemon CPU, ${APPS} idle processes, ${cpuWindowS} s window (% of a core)`,
      unit: "%",
      lowerIsBetter: true,
      values: cpu,
    },
    {
      key: "stop",
      title: `8. Stop ${APPS} processes, until all are gone (${rounds} rounds)`,
      unit: "ms",
      lowerIsBetter: true,
      values: per(stop),
      how: how("stop"),
    },
  ];
}

/** 3 (one at a time): n CLI start commands per tool, alternating command by command. */
export async function startOneByOne(ctx: ScenarioContext, n: number): Promise<Row> {
  const names = appNames("one", n);
  for (const p of ctx.peers) await p.defineApps(names);
  const each = new Map<string, number[]>(ctx.peers.map((p) => [p.name, []]));
  const base = new Map(ctx.peers.map((p) => [p.name, childrenOf(p.daemonPid).length]));
  const t0 = new Map<string, number>();
  const total = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    for (const p of rotated(ctx.peers, i)) each.get(p.name)!.push(await p.startOne(names[i]!));
  }
  for (const p of ctx.peers) {
    t0.set(p.name, performance.now());
    await waitChildren(p.daemonPid, base.get(p.name)! + n);
    total.set(p.name, each.get(p.name)!.reduce((a, b) => a + b, 0));
  }
  for (const p of ctx.peers) {
    await p.stopAll();
    await p.removeAll();
    await waitChildren(p.daemonPid, base.get(p.name)!, true);
  }
  const scale = APPS / n;
  return {
    key: "startOne",
    title: `3. Start ${APPS} one command at a time (sum of wall times${
      scale !== 1 ? `; ${n} timed, ×${scale}` : ""
    })`,
    unit: "ms",
    lowerIsBetter: true,
    values: Object.fromEntries(ctx.peers.map((p) => {
      const s = stats(each.get(p.name)!);
      return [p.name, {
        value: total.get(p.name)! * scale,
        stats: s,
        note: `per command: median ${s.median.toFixed(1)}, p95 ${s.p95.toFixed(1)}, max ${
          s.max.toFixed(1)
        } ms`,
      }];
    })),
    how: Object.fromEntries(ctx.peers.map((p) => [p.name, p.how.startOne])),
  };
}
