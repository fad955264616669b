import { ok, strictEqual } from "node:assert/strict";
import { type Sample, Sampler } from "../../src/monitor/sampler.ts";

const BOOT_MS = 1_000_000_000_000;
const PAGE = 4096;

interface Proc {
  pid: number;
  pgrp: number;
  ticks: number;
  start: number;
  rss: number;
}

function statLine(p: Proc): string {
  return `${p.pid} (w (x)) S 1 ${p.pgrp} ${p.pgrp} 0 -1 0 0 0 0 0 ${p.ticks} 0 0 0 20 0 1 0 ` +
    `${p.start} 1000 ${p.rss} 1 2 3\n`;
}

/** A fake /proc in a temp dir whose processes the test replaces between ticks. */
function fakeProc(): { root: string; set(procs: Proc[]): void } & Disposable {
  const root = Deno.makeTempDirSync({ prefix: "adasa_proc_" });
  return {
    root,
    set(procs) {
      for (const entry of Deno.readDirSync(root)) {
        Deno.removeSync(`${root}/${entry.name}`, { recursive: true });
      }
      for (const p of procs) {
        Deno.mkdirSync(`${root}/${p.pid}`);
        Deno.writeTextFileSync(`${root}/${p.pid}/stat`, statLine(p));
      }
    },
    [Symbol.dispose]: () => Deno.removeSync(root, { recursive: true }),
  };
}

function sampler(root: string, clock: { now: number }, fullScanEvery = 1): Sampler {
  return new Sampler({
    procRoot: root,
    now: () => clock.now,
    pageSize: PAGE,
    bootTimeMs: BOOT_MS,
    fullScanEvery,
  });
}

Deno.test("Sampler.sample() gives null cpu first, then ticks over wall time like top", () => {
  using proc = fakeProc();
  const clock = { now: BOOT_MS + 100_000 };
  const s = sampler(proc.root, clock);
  proc.set([{ pid: 10, pgrp: 10, ticks: 500, start: 100, rss: 256 }]);
  const first = s.sample([{ id: 1, pid: 10 }]);
  strictEqual(first.length, 1);
  strictEqual(first[0]?.cpu, null);
  strictEqual(first[0]?.group_cpu, null);
  strictEqual(first[0]?.memory, 256 * PAGE);
  clock.now += 2000;
  proc.set([{ pid: 10, pgrp: 10, ticks: 600, start: 100, rss: 300 }]);
  const [second] = s.sample([{ id: 1, pid: 10 }]) as [Sample];
  // 100 ticks = 1 s of CPU in 2 s of wall time.
  strictEqual(second.cpu, 50);
  strictEqual(second.group_cpu, 50);
  strictEqual(second.memory, 300 * PAGE);
  strictEqual(second.at, clock.now);
  strictEqual(second.instance_id, 1);
});

Deno.test("Sampler.sample() sums the process group and counts a child born since the last tick", () => {
  using proc = fakeProc();
  const clock = { now: BOOT_MS + 100_000 };
  const s = sampler(proc.root, clock);
  const leader = { pid: 10, pgrp: 10, ticks: 0, start: 100, rss: 100 };
  const other = { pid: 99, pgrp: 99, ticks: 0, start: 100, rss: 5000 };
  proc.set([leader, { pid: 11, pgrp: 10, ticks: 0, start: 200, rss: 50 }, other]);
  s.sample([{ id: 1, pid: 10 }]);
  clock.now += 1000;
  // The child born 0.5 s ago (start ticks = 100.5 s after boot) is counted whole.
  proc.set([
    { ...leader, ticks: 20 },
    { pid: 11, pgrp: 10, ticks: 30, start: 200, rss: 50 },
    { pid: 12, pgrp: 10, ticks: 10, start: 10_050, rss: 10 },
    { ...other, ticks: 100 },
  ]);
  const [sample] = s.sample([{ id: 1, pid: 10 }]) as [Sample];
  strictEqual(sample.cpu, 20);
  strictEqual(sample.group_cpu, 60);
  strictEqual(sample.group_memory, 160 * PAGE);
});

Deno.test("Sampler.sample() finds a new child at the next full scan, spreading its ticks", () => {
  using proc = fakeProc();
  const clock = { now: BOOT_MS + 100_000 };
  const s = sampler(proc.root, clock, 2);
  const leader = { pid: 10, pgrp: 10, ticks: 0, start: 100, rss: 1 };
  proc.set([leader]);
  s.sample([{ id: 1, pid: 10 }]); // full scan
  clock.now += 2000;
  // Born 1 s after the full scan; a partial tick does not look for it.
  const child = { pid: 11, pgrp: 10, ticks: 100, start: 10_100, rss: 1 };
  proc.set([{ ...leader, ticks: 10 }, child]);
  strictEqual(s.sample([{ id: 1, pid: 10 }])[0]?.group_cpu, 5);
  clock.now += 2000;
  // Full scan: 200 ticks over its 3 s of life, 2 s of which fall in this interval.
  proc.set([{ ...leader, ticks: 10 }, { ...child, ticks: 300 }]);
  const [sample] = s.sample([{ id: 1, pid: 10 }]) as [Sample];
  strictEqual(sample.cpu, 0);
  strictEqual(Math.round((sample.group_cpu ?? 0) * 1000) / 1000, 100);
  strictEqual(sample.group_memory, 2 * PAGE);
});

Deno.test("Sampler.sample() skips a vanished pid and restarts cpu for a reused pid", () => {
  using proc = fakeProc();
  const clock = { now: BOOT_MS + 100_000 };
  const s = sampler(proc.root, clock);
  proc.set([{ pid: 10, pgrp: 10, ticks: 500, start: 100, rss: 1 }]);
  s.sample([{ id: 1, pid: 10 }]);
  clock.now += 2000;
  proc.set([]);
  strictEqual(s.sample([{ id: 1, pid: 10 }]).length, 0);
  clock.now += 2000;
  // Same pid, older start than the previous tick is impossible: a reused pid has a later start.
  proc.set([{ pid: 10, pgrp: 10, ticks: 5, start: 200, rss: 1 }]);
  strictEqual(s.sample([{ id: 1, pid: 10 }])[0]?.cpu, null);
});

Deno.test("Sampler.sample() measures a real busy process and its group", async () => {
  const child = new Deno.Command("sh", {
    args: ["-c", "while :; do :; done"],
    detached: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    using s = new Sampler();
    const target = [{ id: 7, pid: child.pid }];
    s.sample(target);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [sample] = s.sample(target) as [Sample];
    ok(sample, "no sample of the running child");
    ok((sample.cpu ?? 0) > 20, `cpu ${sample.cpu} should be over 20 %`);
    ok(sample.memory > 0);
    ok((sample.group_cpu ?? 0) >= (sample.cpu ?? 0));
    ok(sample.group_memory >= sample.memory);
  } finally {
    Deno.kill(-child.pid, "SIGKILL");
    await child.status;
  }
});
