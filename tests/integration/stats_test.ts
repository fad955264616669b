/**
 * CPU and memory figures end to end: a busy loop and a sleeper under a daemon sampling every
 * 200 ms, read back through `list`, `adasa stats` (JSON and CSV), the `stats` table and
 * `daemon status`.
 */
import { DatabaseSync } from "node:sqlite";
import type { InstanceInfo } from "../../src/protocol/messages.ts";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startDaemon, type TestDaemon } from "../_helpers/daemon.ts";
import { list, startApp } from "../_helpers/apps.ts";
import { waitFor } from "../_helpers/wait.ts";
import { formatClock } from "../../cli/render/chart.ts";

const FAST_SAMPLING = { env: { ADASA_SAMPLE_INTERVAL_MS: "200" } };
// CI runs tests side by side on two cores, where a busy loop may get a fifth of a core: the
// figures it must reach are over 10 %, still far from a sleeper's near 0.
const BUSY_LOOP = "while :; do :; done";

interface Figures {
  min: number;
  avg: number;
  p95: number;
  max: number;
}

interface StatsJson {
  since: number;
  until: number;
  points: Array<
    {
      at: number;
      first_at: number;
      instance_id: number;
      app: string;
      cpu: number | null;
      group_cpu: number | null;
    }
  >;
  summary: Array<{ instance_id: number; app: string; samples: number; cpu: Figures | null }>;
}

function rowOf(rows: InstanceInfo[], name: string): InstanceInfo {
  const row = rows.find((r) => r.name === name);
  if (!row) throw new Error(`no row for ${name} in ${JSON.stringify(rows)}`);
  return row;
}

async function listJson(daemon: TestDaemon): Promise<InstanceInfo[]> {
  const result = await daemon.cli(["list", "--json"]);
  assertEquals(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

function statsRows(home: string, app: string): number {
  const db = new DatabaseSync(`${home}/adasa.db`, { readOnly: true });
  try {
    const row = db.prepare("SELECT count(*) AS n FROM stats WHERE app = ?").get(app) as {
      n: number;
    };
    return row.n;
  } finally {
    db.close();
  }
}

Deno.test("list --json shows cpu and memory figures: a busy loop over 10 %, a sleeper near 0", async () => {
  await using daemon = await startDaemon(FAST_SAMPLING);
  await using client = await daemon.connect();
  await startApp(client, { name: "busy", command: "sh", args: ["-c", BUSY_LOOP] });
  await startApp(client, { name: "sleeper", command: "sleep", args: ["3600"] });
  // The first sample of a pid has no cpu figure; a couple of ticks give one.
  const rows = await waitFor(
    () => list(client),
    (rows) => rows.every((r) => r.cpu !== null) && (rowOf(rows, "busy").cpu ?? 0) > 10,
    { what: "cpu figures with busy over 10 %", timeoutMs: 10_000 },
  );
  const sleeper = rowOf(rows, "sleeper");
  assert((sleeper.cpu ?? 100) < 5, `sleeper cpu ${sleeper.cpu}`);
  const cli = await listJson(daemon);
  for (const row of cli) {
    for (const field of ["cpu", "memory", "group_cpu", "group_memory"] as const) {
      assertEquals(typeof row[field], "number", `${row.name}.${field} is ${row[field]}`);
    }
    assert(row.memory! > 0 && row.group_memory! >= row.memory!, `${row.name} memory figures`);
  }
  assert((rowOf(cli, "busy").group_cpu ?? 0) > 10, "busy group_cpu over 10 %");
  assert((rowOf(cli, "sleeper").group_cpu ?? 100) < 5, "sleeper group_cpu near 0");
  const status = await daemon.cli(["daemon", "status", "--json"]);
  assertEquals(status.code, 0, status.stderr);
  assertEquals(JSON.parse(status.stdout).dropped_samples, 0);
});

Deno.test("stats --json returns points and min/avg/p95/max, --csv a header and rows, and the stats table grows each tick", async () => {
  await using daemon = await startDaemon(FAST_SAMPLING);
  await using client = await daemon.connect();
  const [busy] = await startApp(client, { name: "busy", command: "sh", args: ["-c", BUSY_LOOP] });
  await startApp(client, { name: "sleeper", command: "sleep", args: ["3600"] });
  const before = await waitFor(
    () => statsRows(daemon.home, "busy"),
    (n) => n >= 4,
    { what: "4 samples of busy" },
  );
  await waitFor(() => statsRows(daemon.home, "busy"), (n) => n > before, {
    what: `more than ${before} samples of busy`,
  });

  const result = await daemon.cli(["stats", "busy", "--since", "1m", "--json"]);
  assertEquals(result.code, 0, result.stderr);
  const reply = JSON.parse(result.stdout) as StatsJson;
  assert(reply.points.length >= 4, `points: ${reply.points.length}`);
  assert(reply.points.every((p) => p.instance_id === busy!.id && p.app === "busy"), "only busy");
  assert(reply.until - reply.since >= 59_000 && reply.until - reply.since <= 61_000, "1m window");
  assertEquals(reply.summary.length, 1);
  const summary = reply.summary[0]!;
  assert(summary.samples >= 4, `samples: ${summary.samples}`);
  const cpu = summary.cpu!;
  assert(cpu.min <= cpu.avg && cpu.avg <= cpu.max, `cpu figures ${JSON.stringify(cpu)}`);
  assert(cpu.min <= cpu.p95 && cpu.p95 <= cpu.max, `cpu p95 ${JSON.stringify(cpu)}`);
  assert(cpu.max > 10, `busy max cpu ${cpu.max}`);

  const csv = await daemon.cli(["stats", "busy", "--since", "1m", "--csv"]);
  assertEquals(csv.code, 0, csv.stderr);
  const [header, ...rows] = csv.stdout.trimEnd().split("\n");
  assertEquals(header, "at,time,instance_id,app,samples,cpu,memory,group_cpu,group_memory");
  assert(rows.length >= 4, `csv rows: ${rows.length}`);
  for (const row of rows) {
    assertMatch(
      row,
      new RegExp(`^\\d+,\\d{4}-[^,]+Z,${busy!.id},busy,\\d+,[\\d.]*,\\d+,[\\d.]*,\\d+$`),
    );
  }

  const text = await daemon.cli(["stats", "busy", "--since", "1m"]);
  assertEquals(text.code, 0, text.stderr);
  assertMatch(text.stdout, new RegExp(`^busy#${busy!.id}: \\d+ samples`, "m"));
  assertMatch(text.stdout, /^cpu +min .* avg .* p95 .* max /m);

  // Over 10 minutes the samples fall into buckets of several seconds: the chart's top label is
  // still the highest sample, the summary's max, not the highest bucket mean.
  const wide = await daemon.cli(["stats", "busy", "--since", "10m"]);
  assertEquals(wide.code, 0, wide.stderr);
  const lines = wide.stdout.split("\n");
  const top = lines[lines.indexOf("cpu (process group)") + 1]!.match(/^ *(\S+) ┤/)?.[1];
  const max = wide.stdout.match(/^cpu +min .* max (\S+)$/m)?.[1];
  assert(top !== undefined && max !== undefined, wide.stdout);
  assertEquals(top, max, wide.stdout);

  // Over an hour the buckets are 50 s long, but the time axis starts at the first sample's own
  // time, not at the start of its bucket.
  const hour = await daemon.cli(["stats", "busy", "--since", "1h"]);
  assertEquals(hour.code, 0, hour.stderr);
  const hourLines = hour.stdout.split("\n");
  const axis = hourLines[hourLines.findIndex((l) => /^cpu +min /.test(l)) - 1]!;
  const firstSample = reply.points[0]!.first_at;
  assert(axis.trimStart().startsWith(formatClock(firstSample, 0)), `${axis} / ${firstSample}`);
});

Deno.test("stats of a sh -c wrapper shows its child's work in group_cpu", async () => {
  await using daemon = await startDaemon(FAST_SAMPLING);
  await using client = await daemon.connect();
  // The outer shell waits for the inner one, which does the work.
  const [row] = await startApp(client, {
    name: "wrapper",
    command: "sh",
    args: ["-c", `sh -c '${BUSY_LOOP}'; true`],
  });
  const reply = await waitFor(
    async () => {
      const now = Date.now();
      return await client.request("stats", {
        targets: ["wrapper"],
        since: now - 60_000,
        until: now,
        max_points: 10_000,
      });
    },
    (reply) => reply.points.filter((p) => (p.group_cpu ?? 0) > 10).length >= 2,
    { what: "two points with group_cpu over 10 %" },
  );
  const busy = reply.points.filter((p) => (p.group_cpu ?? 0) > 10);
  for (const point of busy) {
    assert((point.cpu ?? 0) < 10, `the wrapper itself idles: cpu ${point.cpu}`);
  }
  const [listed] = await waitFor(
    () => list(client),
    (rows) => (rows[0]?.group_cpu ?? 0) > 10,
    { what: "list group_cpu over 10 %" },
  );
  assertEquals(listed!.id, row!.id);
  assert((listed!.cpu ?? 100) < 10, `wrapper cpu ${listed!.cpu}`);
  assert(listed!.group_memory! > listed!.memory!, "group memory counts the child");
});

Deno.test("stats with a bad --since exits 2 with one line naming the value", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  await startApp(client, { name: "sleeper", command: "sleep", args: ["3600"] });
  for (const value of ["yesterday", "5x", ""]) {
    const result = await daemon.cli(["stats", "sleeper", "--since", value]);
    assertEquals(result.code, 2, `--since "${value}": ${result.stderr}`);
    const lines = result.stderr.trimEnd().split("\n");
    assertEquals(lines.length, 1, result.stderr);
    assert(lines[0]!.includes(`"${value}"`), `want "${value}" named in: ${lines[0]}`);
    assertEquals(result.stdout, "");
  }
  const missing = await daemon.cli(["stats"]);
  assertEquals(missing.code, 2);
});
