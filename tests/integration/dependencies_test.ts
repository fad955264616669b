// deno-lint-ignore-file no-sync-fn-in-async-fn -- tests write small temp files synchronously
/** depends_on: start order, one-shot dependencies, stop order, and validation. */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { list } from "../_helpers/apps.ts";
import { waitFor } from "../_helpers/wait.ts";

const FIXTURES = new URL("../fixtures/readiness/", import.meta.url).pathname;

function writeConfig(dir: string, apps: unknown[]): string {
  const path = `${dir}/apps.json`;
  Deno.writeTextFileSync(path, JSON.stringify({ apps }));
  return path;
}

function chainApp(name: string, log: string, dependsOn?: unknown) {
  return {
    name,
    // Adasa's `command`: an app written in Adasa's terms stops with SIGTERM, which the fixture traps.
    command: `${FIXTURES}chain_app.sh`,
    interpreter: "none",
    env: { NAME: name, LOG: log },
    readiness: "notify",
    ready_timeout: "10s",
    ...(dependsOn === undefined ? {} : { depends_on: dependsOn }),
  };
}

function readLog(path: string): string[] {
  try {
    return Deno.readTextFileSync(path).trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

Deno.test("a three-level dependency chain starts in order, each after the previous is ready, and stops in reverse", async () => {
  await using daemon = await startDaemon();
  const log = `${daemon.home}/order.log`;
  const file = writeConfig(daemon.home, [
    chainApp("frontend", log, ["api"]),
    chainApp("api", log, { db: "ready" }),
    chainApp("db", log),
  ]);
  const started = await daemon.cli(["start", file]);
  assertEquals(started.code, 0, started.stderr);
  assertMatch(started.stdout, /ready +frontend/);
  assertEquals(readLog(log), [
    "start db",
    "ready db",
    "start api",
    "ready api",
    "start frontend",
    "ready frontend",
  ]);
  await using client = await daemon.connect();
  const rows = await list(client);
  assert(rows.every((r) => r.status === "online" && r.ready === "ready"), JSON.stringify(rows));
  const stopped = await daemon.cli(["stop", "all"]);
  assertEquals(stopped.code, 0, stopped.stderr);
  assertEquals(readLog(log).slice(6), ["stop frontend", "stop api", "stop db"]);
});

Deno.test("a one-shot dependency must complete with exit code 0 before its dependent starts", async () => {
  await using daemon = await startDaemon();
  const log = `${daemon.home}/order.log`;
  const file = writeConfig(daemon.home, [
    {
      name: "web",
      script: "/bin/sh",
      args: ["-c", `echo web >> ${log}; exec sleep 60`],
      min_uptime: 100,
      depends_on: { migrate: "completed" },
    },
    {
      name: "migrate",
      script: "/bin/sh",
      args: ["-c", `sleep 0.4; echo migrated >> ${log}`],
      autorestart: false,
    },
  ]);
  const started = await daemon.cli(["start", file]);
  assertEquals(started.code, 0, started.stderr);
  assertEquals(readLog(log), ["migrated", "web"]);
  await using client = await daemon.connect();
  const rows = await list(client);
  assertEquals(rows.find((r) => r.name === "migrate")?.status, "exited");
  assertEquals(rows.find((r) => r.name === "web")?.status, "online");
});

Deno.test("a failed one-shot dependency leaves its dependent unstarted, and start says why with exit 1", async () => {
  await using daemon = await startDaemon();
  const file = writeConfig(daemon.home, [
    { name: "migrate", script: "/bin/sh", args: ["-c", "exit 4"], autorestart: false },
    {
      name: "web",
      script: "sleep",
      args: ["60"],
      depends_on: { migrate: "completed" },
    },
  ]);
  const started = await daemon.cli(["start", file]);
  assertEquals(started.code, 1);
  assertMatch(
    started.stderr,
    /web not started: dependency "migrate" \(completed\): instance \d+ is exited: exited with code 4/,
  );
  await using client = await daemon.connect();
  const web = (await list(client)).find((r) => r.name === "web");
  assert(web === undefined || web.status === "stopped", JSON.stringify(web));
});

Deno.test("a dependency cycle or an unknown dependency is rejected before anything starts", async () => {
  await using daemon = await startDaemon();
  const file = writeConfig(daemon.home, [
    { name: "a", script: "sleep", args: ["60"], depends_on: ["b"] },
    { name: "b", script: "sleep", args: ["60"], depends_on: ["c"] },
    { name: "c", script: "sleep", args: ["60"], depends_on: ["a"] },
    { name: "d", script: "sleep", args: ["60"], depends_on: ["nope"] },
  ]);
  const result = await daemon.cli(["start", file]);
  assertEquals(result.code, 2);
  assertMatch(result.stderr, /apps\[0\]\.depends_on: dependency cycle: "a" -> "b" -> "c" -> "a"/);
  assertMatch(result.stderr, /apps\[3\]\.depends_on: "d" depends on unknown app "nope"/);
  await using client = await daemon.connect();
  assertEquals(await list(client), []);
});

Deno.test("adasa start <app> starts its dependencies first", async () => {
  await using daemon = await startDaemon();
  const log = `${daemon.home}/order.log`;
  const file = writeConfig(daemon.home, [chainApp("db", log), chainApp("api", log, ["db"])]);
  assertEquals((await daemon.cli(["start", file])).code, 0);
  assertEquals((await daemon.cli(["stop", "all"])).code, 0);
  Deno.writeTextFileSync(log, "");
  const started = await daemon.cli(["start", "api"]);
  assertEquals(started.code, 0, started.stderr);
  await using client = await daemon.connect();
  await waitFor(() => list(client), (rows) => rows.every((r) => r.status === "online"), {
    what: "both online",
  });
  assertEquals(readLog(log).slice(0, 3), ["start db", "ready db", "start api"]);
});
