/**
 * #17, scale: a daemon of many apps needs about three descriptors per app (two pipes and the
 * sampler's open /proc stat file). It runs with its soft open-file limit raised to the hard
 * one, says how many it holds in `daemon status`, and a start that finds none left fails with
 * one line naming the limit while the daemon goes on. `daemon status` also gives the sampling
 * tick's duration, which the scale benchmark reads.
 */
import { AdasaError } from "../../src/protocol/errors.ts";
import type { DaemonStatus } from "../../src/protocol/ops.ts";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { startApp } from "../_helpers/apps.ts";
import { waitFor } from "../_helpers/wait.ts";

function softFileLimit(pid: number): string {
  const limits = Deno.readTextFileSync(`/proc/${pid}/limits`);
  return /^Max open files\s+(\S+)/m.exec(limits)?.[1] ?? "?";
}

Deno.test("a daemon started with a low soft open-file limit runs with its hard limit and reports it", async () => {
  await using daemon = await startDaemon({ prefix: ["prlimit", "--nofile=256:4096"] });
  assertEquals(softFileLimit(daemon.pid), "4096");
  await using client = await daemon.connect();
  const status = await client.request("daemon_status");
  assertEquals(status.open_files.limit, 4096);
  assert(status.open_files.open !== null && status.open_files.open > 3, "open descriptors");
  assert(status.open_files.open < 4096, "fewer open than the limit");
});

Deno.test("out of file descriptors, start fails with one line naming the limit and the daemon goes on", async () => {
  const LIMIT = 64;
  await using daemon = await startDaemon({ prefix: ["prlimit", `--nofile=${LIMIT}:${LIMIT}`] });
  await using client = await daemon.connect();
  let refusal: AdasaError | null = null;
  let started = 0;
  for (let i = 0; i < LIMIT && !refusal; i++) {
    try {
      await startApp(client, { name: `s${i}`, command: "sleep", args: ["3600"] });
      started++;
    } catch (error) {
      if (!(error instanceof AdasaError)) throw error;
      refusal = error;
    }
  }
  assert(refusal !== null, `all ${started} starts succeeded under a limit of ${LIMIT}`);
  assert(started > 0, "not even one app started");
  assertEquals(refusal.code, "SPAWN_FAILED");
  assertMatch(refusal.message, /out of file descriptors \(open-file limit 64;.*ulimit -Hn/);
  assert(!refusal.message.includes("\n"), `one line: ${refusal.message}`);
  // Freeing descriptors makes room again: the daemon kept going.
  await client.request("delete", { targets: ["all"] });
  const [again] = await startApp(client, { name: "again", command: "sleep", args: ["3600"] });
  assertEquals(again!.status === "launching" || again!.status === "online", true);
  await client.request("delete", { targets: ["all"] });
});

Deno.test("daemon status gives the sampling tick's last and median duration and what it sampled", async () => {
  await using daemon = await startDaemon({ env: { ADASA_SAMPLE_INTERVAL_MS: "100" } });
  await using client = await daemon.connect();
  for (let i = 0; i < 3; i++) {
    await startApp(client, { name: `s${i}`, command: "sleep", args: ["3600"] });
  }
  const status: DaemonStatus = await waitFor(
    () => client.request("daemon_status"),
    (s) => s.sample_tick.instances === 3 && s.sample_tick.ticks >= 3,
    { what: "three ticks over three instances" },
  );
  const tick = status.sample_tick;
  assert(tick.last_ms !== null && tick.last_ms >= 0, `last_ms ${tick.last_ms}`);
  assert(tick.median_ms !== null && tick.median_ms >= 0, `median_ms ${tick.median_ms}`);
  const text = await daemon.cli(["daemon", "status"]);
  assertEquals(text.code, 0, text.stderr);
  assertMatch(text.stdout, /^sampling {2}\d+ instances in [\d.]+ ms \(median [\d.]+ ms\)$/m);
  assertMatch(text.stdout, /^files {5}\d+ open of \d+$/m);
  await client.request("delete", { targets: ["all"] });
});
