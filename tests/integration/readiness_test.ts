// deno-lint-ignore-file no-sync-fn-in-async-fn -- tests write small temp files synchronously
/** Readiness of each kind, ready_timeout, and liveness checks, with real processes. */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { events, instance, startApp, waitForInstance } from "../_helpers/apps.ts";
import { waitFor } from "../_helpers/wait.ts";

const FIXTURES = new URL("../fixtures/readiness/", import.meta.url).pathname;

/** A TCP port nobody listens on right now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function httpServer(port: number, readiness: Record<string, unknown>) {
  return {
    name: "web",
    command: `${FIXTURES}http_server.ts`,
    interpreter: Deno.execPath(),
    interpreter_args: ["run", "--allow-net", "--allow-env", "--allow-write", "--unstable-net"],
    env: { PORT: String(port), START_DELAY_MS: "300" },
    min_uptime_ms: 60_000, // only the readiness check may make it online
    readiness,
  };
}

Deno.test("log_line readiness: online when a line of output matches, not before", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const [row] = await startApp(client, {
    name: "logline",
    command: "/bin/sh",
    args: ["-c", "echo starting; sleep 0.3; echo 'server listening on 8080'; exec sleep 60"],
    min_uptime_ms: 60_000,
    readiness: { kind: "log_line", pattern: "listening on \\d+" },
  });
  assertEquals(row!.status, "launching");
  assertEquals(row!.ready, "pending");
  const online = await waitForInstance(client, row!.id, (r) => r.status === "online", "online");
  assertEquals(online.ready, "ready");
  assertMatch(online.last_probe ?? "", /matched .*server listening on 8080/);
});

Deno.test("http readiness: online once GET answers 2xx", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const port = freePort();
  const [row] = await startApp(
    client,
    httpServer(port, { kind: "http", url: `http://127.0.0.1:${port}/` }),
  );
  assertEquals(row!.status, "launching");
  const online = await waitForInstance(client, row!.id, (r) => r.status === "online", "online");
  assertMatch(online.last_probe ?? "", /HTTP 200/);
  const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
  assertEquals(body, `pid ${online.pid}\n`);
});

Deno.test("tcp readiness: online once the port accepts connections", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const port = freePort();
  const [row] = await startApp(client, httpServer(port, { kind: "tcp", port }));
  assertEquals(row!.status, "launching");
  const online = await waitForInstance(client, row!.id, (r) => r.status === "online", "online");
  assertMatch(online.last_probe ?? "", /connected/);
});

Deno.test("command readiness: online once the command exits 0, run with the app's env", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const flag = `${daemon.home}/flag`;
  const [row] = await startApp(client, {
    name: "cmd",
    command: "/bin/sh",
    args: ["-c", 'sleep 0.3; touch "$FLAG"; exec sleep 60'],
    env: { FLAG: flag },
    min_uptime_ms: 60_000,
    readiness: { kind: "command", command: 'test -f "$FLAG"' },
  });
  const pending = await instance(client, row!.id);
  assertEquals(pending.status, "launching");
  await waitForInstance(client, row!.id, (r) => r.status === "online", "online");
  assert(Deno.statSync(flag).isFile);
});

Deno.test("notify readiness: online once the program writes ready to $ADASA_READY_FILE", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const [row] = await startApp(client, {
    name: "notify",
    command: "/bin/sh",
    args: ["-c", 'sleep 0.3; echo ready > "$ADASA_READY_FILE"; exec sleep 60'],
    min_uptime_ms: 60_000,
    readiness: { kind: "notify" },
  });
  assertEquals(row!.status, "launching");
  const online = await waitForInstance(client, row!.id, (r) => r.status === "online", "online");
  assertEquals(online.last_probe, "the program wrote ready");
});

Deno.test("a process not ready within ready_timeout is stopped and errored with the reason", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const port = freePort();
  const [row] = await startApp(client, {
    name: "never",
    command: "sleep",
    args: ["60"],
    readiness: { kind: "http", url: `http://127.0.0.1:${port}/health` },
    ready_timeout_ms: 500,
    max_restarts: 0,
  });
  const errored = await waitForInstance(client, row!.id, (r) => r.status === "errored", "errored");
  assertMatch(
    errored.reason ?? "",
    /^not ready after 500 ms: GET http:\/\/127\.0\.0\.1:\d+\/health/,
  );
  assertEquals(errored.pid, null);
  const timeline = (await events(client, ["never"])).map((e) => `${e.event}:${e.to_state}`);
  assert(timeline.includes("ready_timeout:stopping"), timeline.join(" "));
  assertEquals(timeline.at(-1), "exit:errored");
});

Deno.test("a failing liveness check restarts the instance with reason unhealthy, as an event", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const healthy = `${daemon.home}/healthy`;
  Deno.writeTextFileSync(healthy, "");
  const [row] = await startApp(client, {
    name: "live",
    command: "sleep",
    args: ["60"],
    min_uptime_ms: 100,
    liveness: {
      kind: "command",
      command: `test -f ${healthy}`,
      interval_ms: 50,
      timeout_ms: 1000,
      failure_threshold: 3,
    },
  });
  const first = await waitForInstance(
    client,
    row!.id,
    (r) => r.status === "online" && r.health === "healthy",
    "online and healthy",
  );
  Deno.removeSync(healthy);
  const unhealthy = await waitFor(
    async () => (await events(client, ["live"])).find((e) => e.event === "unhealthy"),
    (e) => e !== undefined,
    { what: "an unhealthy event" },
  );
  Deno.writeTextFileSync(healthy, "");
  assertEquals(unhealthy!.from_state, "online");
  assertEquals(unhealthy!.to_state, "stopping");
  assertMatch(unhealthy!.reason ?? "", /^unhealthy: 3 liveness checks failed in a row/);
  const again = await waitForInstance(
    client,
    row!.id,
    (r) => r.status === "online" && r.pid !== first.pid && r.health === "healthy",
    "restarted, online and healthy",
  );
  assert(again.restarts >= 1);
});
