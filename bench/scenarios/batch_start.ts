/**
 * 3 (batch start): `start <file>` of 100 apps, per tool, timing two things from the moment the
 * command starts: when all 100 are alive (the daemon's children, polled while the command
 * runs) and when the CLI is back. Adasa runs twice per round: as it is by default (it waits for
 * every app to be ready, min_uptime) and with `--no-wait` (back once every app is spawned).
 */
import { childrenOf, sleep, stats } from "../_util.ts";
import { rotated } from "./core.ts";
import type { Measure, Peer, Row, ScenarioContext } from "./types.ts";

const APPS = 100;

interface Sample {
  alive: number;
  back: number;
}

/** Runs `start` and polls the daemon's children until `base + APPS` of them run. */
async function timeStart(p: Peer, base: number, start: () => Promise<number>): Promise<Sample> {
  const t0 = performance.now();
  let back: number | null = null;
  const command = start().then((ms) => (back = ms));
  let alive = NaN;
  while (true) {
    if (childrenOf(p.daemonPid).length >= base + APPS) {
      alive = performance.now() - t0;
      break;
    }
    if (performance.now() - t0 > 60_000) throw new Error(`${p.name}: not all alive in 60 s`);
    await sleep(1);
  }
  await command;
  return { alive, back: back! };
}

/** Stops and forgets every app, then waits until the daemon has `base` children at most. */
async function clear(p: Peer, base: number): Promise<void> {
  await p.stopAll();
  await p.removeAll();
  const deadline = performance.now() + 60_000;
  while (childrenOf(p.daemonPid).length > base) {
    if (performance.now() > deadline) throw new Error(`${p.name}: children left after stop`);
    await sleep(10);
  }
}

const median = (xs: number[]) => stats(xs).median;

function measure(xs: number[], note?: string): Measure {
  const s = stats(xs);
  return { value: s.median, stats: s, ...(note ? { note } : {}) };
}

/** The two rows of the batch start: all alive, and the CLI back (adasa with --no-wait). */
export async function batchStart(ctx: ScenarioContext, rounds: number): Promise<Row[]> {
  const names = Array.from({ length: APPS }, (_, i) => `batch${i}`);
  const samples = new Map<string, Sample[]>(ctx.peers.map((p) => [p.name, []]));
  const noWait: Sample[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const p of rotated(ctx.peers, round)) {
      const base = childrenOf(p.daemonPid).length;
      samples.get(p.name)!.push(await timeStart(p, base, () => p.startFile(names)));
      await clear(p, base);
      if (p.startFileNoWait) {
        noWait.push(await timeStart(p, base, () => p.startFileNoWait!(names)));
        await clear(p, base);
      }
    }
  }
  const alive: Record<string, Measure> = {};
  const back: Record<string, Measure> = {};
  for (const p of ctx.peers) {
    const s = samples.get(p.name)!;
    if (p.startFileNoWait && noWait.length) {
      const def = median(s.map((x) => x.alive));
      alive[p.name] = measure(
        noWait.map((x) => x.alive),
        `--no-wait; default ${def.toFixed(1)} ms, n=${s.length}`,
      );
      back[p.name] = measure(
        noWait.map((x) => x.back),
        `--no-wait; default (waits for min_uptime) ${median(s.map((x) => x.back)).toFixed(1)} ms`,
      );
    } else {
      alive[p.name] = measure(s.map((x) => x.alive));
      back[p.name] = measure(s.map((x) => x.back));
    }
  }
  const how = Object.fromEntries(ctx.peers.map((p) => [p.name, p.how.startFile]));
  return [
    {
      key: "batchAlive",
      title:
        `3. Start ${APPS} from one file: all alive, from the command's start (${rounds} rounds)`,
      unit: "ms",
      lowerIsBetter: true,
      values: alive,
      how,
    },
    {
      key: "batchBack",
      title: `3. Start ${APPS} from one file: CLI back (adasa: --no-wait) (${rounds} rounds)`,
      unit: "ms",
      lowerIsBetter: true,
      values: back,
    },
  ];
}
