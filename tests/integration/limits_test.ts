/**
 * Resource limits end to end: `adasa start --max-memory/--max-cpu --limit-action` on real
 * programs under a daemon sampling every 200 ms, judged by the events it records.
 */
import type { EventRecord } from "../../src/protocol/messages.ts";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startDaemon, type TestDaemon } from "../_helpers/daemon.ts";
import { events, instance, waitForInstance } from "../_helpers/apps.ts";
import { waitFor } from "../_helpers/wait.ts";

const FIXTURES = new URL("../fixtures/observe/", import.meta.url).pathname;
const FAST_SAMPLING = { env: { ADASA_SAMPLE_INTERVAL_MS: "200" } };
const MEMORY_REASON =
  /^memory \d+(\.\d+)?MiB over max_memory 20(\.0)?MiB for \d+ samples; action (restart|stop|log)$/;

/** `adasa start --json ARGS`; returns the id of the one instance it made. */
async function startCli(daemon: TestDaemon, args: string[]): Promise<number> {
  const result = await daemon.cli(["start", "--json", ...args]);
  assertEquals(result.code, 0, result.stderr);
  const rows = JSON.parse(result.stdout) as Array<{ id: number }>;
  assertEquals(rows.length, 1);
  return rows[0]!.id;
}

function waitForEvent(
  daemon: TestDaemon,
  app: string,
  accept: (events: EventRecord[]) => boolean,
  what: string,
): Promise<EventRecord[]> {
  return waitFor(
    async () => {
      await using client = await daemon.connect();
      return await events(client, [app]);
    },
    accept,
    { what, timeoutMs: 15_000, intervalMs: 50 },
  );
}

Deno.test("--max-memory restarts an instance whose group grows past it, recording limit_exceeded with the figures", async () => {
  await using daemon = await startDaemon(FAST_SAMPLING);
  const id = await startCli(daemon, [
    "--name",
    "hog",
    "--max-memory",
    "20M",
    `${FIXTURES}grow_memory.sh`,
    "--",
    "60",
  ]);
  const timeline = await waitForEvent(daemon, "hog", (list) => {
    const at = list.findIndex((e) => e.event === "limit_exceeded");
    return at >= 0 && list.slice(at + 1).some((e) => e.to_state === "launching");
  }, "limit_exceeded then a new launch");
  const at = timeline.findIndex((e) => e.event === "limit_exceeded");
  const exceeded = timeline[at]!;
  assertEquals(exceeded.instance_id, id);
  assertMatch(exceeded.reason ?? "", MEMORY_REASON);
  assertMatch(exceeded.reason ?? "", /action restart$/);
  const mib = Number(/^memory ([\d.]+)MiB/.exec(exceeded.reason!)![1]);
  assert(mib > 20, `the figure ${mib} MiB is over the limit`);
  const after = timeline.slice(at + 1);
  assert(after.some((e) => e.from_state === "online" || e.from_state === "launching"), "stopped");
  await using client = await daemon.connect();
  const row = await waitForInstance(client, id, (r) => r.restarts >= 1 && r.pid !== null, "rerun");
  assertEquals(row.desired, "up");
});

Deno.test("--limit-action stop stops the instance, and --limit-action log only records", async () => {
  await using daemon = await startDaemon(FAST_SAMPLING);
  const stopId = await startCli(daemon, [
    "--name",
    "stopper",
    "--max-memory",
    "20M",
    "--limit-action",
    "stop",
    `${FIXTURES}grow_memory.sh`,
  ]);
  const logId = await startCli(daemon, [
    "--name",
    "logger",
    "--max-memory",
    "20M",
    "--limit-action",
    "log",
    `${FIXTURES}grow_memory.sh`,
  ]);
  await using client = await daemon.connect();
  const stopped = await waitForInstance(
    client,
    stopId,
    (r) => r.status === "stopped",
    "stopped",
    15_000,
  );
  assertEquals(stopped.desired, "down");
  const stopEvents = await events(client, ["stopper"]);
  const exceeded = stopEvents.filter((e) => e.event === "limit_exceeded");
  assertEquals(exceeded.length, 1, JSON.stringify(stopEvents));
  assertMatch(exceeded[0]!.reason ?? "", /action stop$/);

  const logged = await waitForEvent(
    daemon,
    "logger",
    (list) => list.filter((e) => e.event === "limit_exceeded").length >= 2,
    "two limit_exceeded events",
  );
  for (const e of logged.filter((e) => e.event === "limit_exceeded")) {
    assertMatch(e.reason ?? "", MEMORY_REASON);
    assertMatch(e.reason ?? "", /action log$/);
  }
  const row = await instance(client, logId);
  assertEquals([row.status, row.restarts], ["online", 0]);
  assertEquals(logged.filter((e) => e.event === "stop" || e.event === "exit"), []);
});

// The limit is low because CI runs tests side by side on two cores: under that load a busy loop
// may get a fifth of a core, and it must stay over the limit for three samples in a row.
Deno.test("--max-cpu 5 --limit-action log on a busy loop records a cpu violation", async () => {
  await using daemon = await startDaemon(FAST_SAMPLING);
  const id = await startCli(daemon, [
    "--name",
    "spinner",
    "--max-cpu",
    "5",
    "--limit-action",
    "log",
    "--shell",
    "while :; do :; done",
  ]);
  const timeline = await waitForEvent(
    daemon,
    "spinner",
    (list) => list.some((e) => e.event === "limit_exceeded"),
    "limit_exceeded",
  );
  const exceeded = timeline.find((e) => e.event === "limit_exceeded")!;
  assertEquals(exceeded.instance_id, id);
  assertMatch(
    exceeded.reason ?? "",
    /^cpu \d+(\.\d)?% over max_cpu 5\.0% for \d+ samples; action log$/,
  );
  await using client = await daemon.connect();
  assertEquals((await instance(client, id)).restarts, 0);
});

Deno.test("start with an invalid --max-memory, --max-cpu or --limit-action exits 2 naming the value", async () => {
  await using daemon = await startDaemon();
  const cases: Array<[string[], string]> = [
    [["--max-memory", "abc"], '"abc"'],
    [["--max-memory", "12Q"], '"12Q"'],
    [["--max-cpu", "lots"], '"lots"'],
    [["--limit-action", "explode"], "explode"],
  ];
  for (const [flags, culprit] of cases) {
    const result = await daemon.cli(["start", "--name", "bad", ...flags, "sleep", "--", "60"]);
    assertEquals(result.code, 2, `${flags.join(" ")}: ${result.stderr}`);
    const lines = result.stderr.trimEnd().split("\n");
    assertEquals(lines.length, 1, result.stderr);
    assert(lines[0]!.includes(culprit), `want ${culprit} in: ${lines[0]}`);
    assert(lines[0]!.includes(flags[0]!.slice(2)), `want ${flags[0]} named in: ${lines[0]}`);
  }
  const list = await daemon.cli(["list", "--json"]);
  assertEquals(JSON.parse(list.stdout), []);
});
