import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import {
  isPidName,
  parsePgrp,
  parseStat,
  readBootTimeMs,
  readPageSize,
  readStartTicks,
  readStat,
} from "../../src/monitor/proc.ts";

const ROOT = new URL("../fixtures/proc", import.meta.url).pathname;

Deno.test("parseStat() reads pid, ppid, pgrp, ticks, start time and rss", () => {
  const cases: Array<[string, ReturnType<typeof parseStat>]> = [
    [
      "4048 (cat) R 4043 4043 2670 0 -1 4194304 98 0 0 0 3 4 0 0 20 0 1 0 867819 3133440 362 1 2",
      { pid: 4048, ppid: 4043, pgrp: 4043, ticks: 7, startTicks: 867819, rssPages: 362 },
    ],
    [
      "7 (a) b) (c) S 1 7 7 0 -1 0 0 0 0 0 10 20 0 0 20 0 1 0 99 100 5 1",
      { pid: 7, ppid: 1, pgrp: 7, ticks: 30, startTicks: 99, rssPages: 5 },
    ],
    ["7 (sh) S 1 7 7 0 -1 0 0 0 0 0 10 20", null],
    ["7 sh S 1 7 7", null],
    ["", null],
  ];
  for (const [line, want] of cases) assertEquals(parseStat(line), want, line);
});

Deno.test("parsePgrp() splits at the last ')' of the comm", () => {
  strictEqual(parsePgrp("9 (x) (y) S 1 42 42 0"), 42);
  strictEqual(parsePgrp("9 (x) S 1"), -1);
  strictEqual(parsePgrp("garbage"), -1);
});

Deno.test("readStat() parses fixture files, including a comm with spaces and ')'", () => {
  assertEquals(readStat(100, ROOT), {
    pid: 100,
    ppid: 1,
    pgrp: 100,
    ticks: 300,
    startTicks: 1000,
    rssPages: 512,
  });
  assertEquals(readStat(200, ROOT)?.pgrp, 100);
  assertEquals(readStat(200, ROOT)?.ticks, 50);
});

Deno.test("readStat() returns null for a vanished or never-seen pid", () => {
  strictEqual(readStat(4242, ROOT), null);
  strictEqual(readStat(999999, ROOT), null);
  strictEqual(readStartTicks(4242, ROOT), null);
});

Deno.test("readStartTicks() gives field 22, also for the real current process", () => {
  strictEqual(readStartTicks(300, ROOT), 3000);
  const own = readStartTicks(Deno.pid);
  strictEqual(typeof own, "number");
  strictEqual(readStartTicks(Deno.pid), own);
});

Deno.test("readBootTimeMs() reads btime in ms", () => {
  strictEqual(readBootTimeMs(ROOT), 1764201600_000);
  strictEqual(readBootTimeMs("/nonexistent"), null);
});

Deno.test("readPageSize() measures from self, falling back to 4096", () => {
  strictEqual(readPageSize(ROOT), 16384);
  strictEqual(readPageSize("/nonexistent"), 4096);
  const real = readPageSize();
  strictEqual(real >= 4096 && (real & (real - 1)) === 0, true);
});

Deno.test("isPidName() tells pid directories from others", () => {
  assertEquals(["1", "4242", "self", "stat", "net"].map(isPidName), [
    true,
    true,
    false,
    false,
    false,
  ]);
});
