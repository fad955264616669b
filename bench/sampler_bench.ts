// deno-lint-ignore-file no-console -- a benchmark prints its numbers
/**
 * Per-tick cost of Sampler.sample() with N managed processes (`sleep`, each in its own session
 * as the supervisor starts them), measured in wall time and in this process's CPU time.
 * Run: deno run -A bench/sampler_bench.ts [--pids 100,1000] [--ticks 50]
 */
import { parseArgs } from "node:util";
import { Sampler } from "../src/monitor/sampler.ts";
import { CLOCK_TICKS_PER_SECOND, readStat } from "../src/monitor/proc.ts";

const { values } = parseArgs({
  options: {
    pids: { type: "string", default: "100,1000" },
    ticks: { type: "string", default: "50" },
  },
});
const TICKS = Number(values.ticks);

function spawnSleepers(n: number): Deno.ChildProcess[] {
  return Array.from({ length: n }, () => {
    return new Deno.Command("sleep", {
      args: ["1000"],
      detached: true,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
  });
}

function countPids(): number {
  return [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).length;
}

async function measure(n: number): Promise<void> {
  const children = spawnSleepers(n);
  try {
    const targets = children.map((c, i) => ({ id: i + 1, pid: c.pid }));
    using sampler = new Sampler();
    sampler.sample(targets);
    const wall: number[] = [];
    const before = readStat(Deno.pid)?.ticks ?? 0;
    for (let i = 0; i < TICKS; i++) {
      const t0 = performance.now();
      const samples = sampler.sample(targets);
      wall.push(performance.now() - t0);
      if (samples.length !== n) throw new Error(`got ${samples.length} samples, want ${n}`);
    }
    const cpuMs = (((readStat(Deno.pid)?.ticks ?? 0) - before) * 1000) / CLOCK_TICKS_PER_SECOND;
    wall.sort((a, b) => a - b);
    const median = wall[Math.floor(wall.length / 2)] as number;
    const procs = countPids();
    console.log(
      `${n} managed pids (${procs} pids on the host): median ${median.toFixed(2)} ms per tick, ` +
        `CPU ${(cpuMs / TICKS).toFixed(2)} ms per tick = ${(cpuMs / TICKS / 20).toFixed(3)} % ` +
        `of a core at one tick per 2 s`,
    );
  } finally {
    for (const child of children) Deno.kill(-child.pid, "SIGKILL");
    await Promise.all(children.map((c) => c.status));
  }
}

for (const n of values.pids.split(",").map(Number)) await measure(n);
