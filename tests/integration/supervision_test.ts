// deno-lint-ignore-file no-sync-fn-in-async-fn -- tests read /proc and temp files synchronously for simplicity
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { groupAlive, pidAlive, startDaemon } from "../_helpers/daemon.ts";
import { events, instance, startApp, waitForInstance } from "../_helpers/apps.ts";
import { waitFor } from "../_helpers/wait.ts";
import { liveGroupMembers } from "../_helpers/proc.ts";

const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;

Deno.test("start runs the program with ADASA_* variables and becomes online after min_uptime", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const out = `${daemon.home}/env.txt`;
  const [row] = await startApp(client, {
    name: "envy",
    command: "/bin/sh",
    args: [
      "-c",
      `echo "$ADASA_ID $ADASA_NAME $ADASA_INSTANCE $NODE_APP_INSTANCE $FOO" > ${out}; exec sleep 60`,
    ],
    env: { FOO: "bar" },
    min_uptime_ms: 200,
  });
  assertEquals(row!.status, "launching");
  await waitForInstance(client, row!.id, (r) => r.status === "online", "online");
  assertEquals(Deno.readTextFileSync(out).trim(), `${row!.id} envy 0 0 bar`);
});

Deno.test("a crashed online instance is restarted at once, and the exit is recorded", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const [row] = await startApp(client, {
    name: "crashy",
    command: "sleep",
    args: ["60"],
    min_uptime_ms: 100,
  });
  const online = await waitForInstance(client, row!.id, (r) => r.status === "online", "online");
  Deno.kill(online.pid!, "SIGKILL");
  const restarted = await waitForInstance(
    client,
    row!.id,
    (r) => r.pid !== null && r.pid !== online.pid && r.restarts === 1,
    "a new pid",
  );
  assert(pidAlive(restarted.pid!));
  const exit = (await events(client, ["crashy"])).find((e) => e.event === "exit");
  assertEquals(exit?.signal, "SIGKILL");
  assertEquals(exit?.pid, online.pid);
  assert((exit?.uptime_ms ?? 0) >= 100);
});

Deno.test("an app dying before min_uptime backs off and is errored after max_restarts", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const [row] = await startApp(client, {
    name: "flaky",
    command: "/bin/sh",
    args: ["-c", "exit 3"],
    max_restarts: 3,
    backoff_initial_ms: 10,
  });
  const errored = await waitForInstance(client, row!.id, (r) => r.status === "errored", "errored");
  assertMatch(errored.reason ?? "", /^3 unstable restarts \(each exited with code 3/);
  assertEquals(errored.restarts, 3);
  assertEquals(errored.exit_code, 3);
  const timeline = (await events(client, ["flaky"])).map((e) => e.to_state);
  assertEquals(timeline.filter((s) => s === "waiting").length, 3);
  assertEquals(timeline.at(-1), "errored");
});

Deno.test("stop SIGKILLs a group that ignores SIGTERM, grandchildren included, after kill_timeout", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const [row] = await startApp(client, {
    name: "stubborn",
    command: `${FIXTURES}ignore_sigterm.sh`,
    kill_timeout_ms: 300,
    min_uptime_ms: 0,
  });
  await waitFor(() => groupMembers(row!.pid!), (n) => n >= 3, { what: "3 processes in the group" });
  const started = performance.now();
  const [stopped] = await client.request("stop", {
    targets: ["stubborn"],
  });
  assertEquals(stopped!.status, "stopped");
  assert(performance.now() - started >= 250, "SIGKILL came before the kill timeout");
  assert(!groupAlive(row!.pid!), "a process of the group survived the stop");
});

Deno.test("a grandchild holding stdout open does not leave the instance stuck in stopping", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const [row] = await startApp(client, {
    name: "holder",
    command: `${FIXTURES}spawn_grandchild.sh`,
    kill_timeout_ms: 500,
  });
  await waitFor(() => groupMembers(row!.pid!), (n) => n >= 2, { what: "the grandchild" });
  const [stopped] = await client.request("stop", {
    targets: [String(row!.id)],
  });
  assertEquals(stopped!.status, "stopped");
  assert(!groupAlive(row!.pid!));
});

Deno.test("stop --force sends SIGKILL at once", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const [row] = await startApp(client, {
    name: "forced",
    command: `${FIXTURES}ignore_sigterm.sh`,
    kill_timeout_ms: 30_000,
  });
  await waitFor(() => groupMembers(row!.pid!), (n) => n >= 3, { what: "3 processes in the group" });
  const started = performance.now();
  await client.request("stop", { targets: ["forced"], force: true });
  assert(performance.now() - started < 10_000);
  assert(!groupAlive(row!.pid!));
  const exit = (await events(client, ["forced"])).find((e) => e.event === "exit");
  assertEquals(exit?.signal, "SIGKILL");
});

Deno.test("stop during backoff cancels the pending restart", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const [row] = await startApp(client, {
    name: "backoff",
    command: "/bin/sh",
    args: ["-c", "exit 1"],
    backoff_initial_ms: 600,
  });
  await waitForInstance(client, row!.id, (r) => r.status === "waiting", "waiting");
  await client.request("stop", { targets: ["backoff"] });
  await new Promise((resolve) => setTimeout(resolve, 900));
  const after = await instance(client, row!.id);
  assertEquals(after.status, "stopped");
  assertEquals(after.restarts, 0);
});

/** How many live processes have process group `pgid`. */
function groupMembers(pgid: number): number {
  return liveGroupMembers(pgid).length;
}
