// deno-lint-ignore-file no-sync-fn-in-async-fn -- tests write gate files synchronously
/**
 * Node apps the pm2 way (#15.2 environment, #15.3 readiness), through a real daemon and real
 * Node processes: `process.send` exists in every Node app, `process.send("ready")` makes a
 * wait_ready app ready, listen_timeout elapsing counts as ready with an event saying so,
 * shutdown_with_message replaces the stop signal, and each instance gets pm2's variables.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { makeHome, startDaemon } from "../_helpers/daemon.ts";
import { events, instance, list, startApp, waitForInstance } from "../_helpers/apps.ts";
import { FIXTURES, tempDir } from "../_helpers/node.ts";
import { waitFor } from "../_helpers/wait.ts";
import type { AdasaClient } from "../../src/ipc/client.ts";

async function logTexts(client: AdasaClient, app: string): Promise<string[]> {
  const out: string[] = [];
  for await (const frame of client.stream("logs", { targets: [app], lines: 1_000 })) {
    out.push(...frame.data.map((l) => l.text));
  }
  return out;
}

function readyApp(name: string, env: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    name,
    command: `${FIXTURES}ready_app.js`,
    interpreter: "node",
    env,
    ...extra,
  };
}

Deno.test("wait_ready: the app is online only once it calls process.send('ready')", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const gate = `${daemon.home}/gate`;
  const [row] = await startApp(
    client,
    readyApp("api", { READY_GATE: gate }, { readiness: { kind: "message" } }),
  );
  await waitFor(() => logTexts(client, "api"), (t) => t.includes("process.send is a function"), {
    what: "the app running",
  });
  const waiting = await instance(client, row!.id);
  assertEquals(waiting.status, "launching");
  assertEquals(waiting.ready, "pending");
  Deno.writeTextFileSync(gate, "");
  const online = await waitForInstance(client, row!.id, (r) => r.status === "online", "online");
  assertEquals(online.last_probe, 'the program sent "ready"');
  const ready = (await events(client, ["api"])).find((e) => e.to_state === "online");
  assertEquals(ready?.event, "ready");
});

Deno.test("wait_ready: listen_timeout elapsing counts as ready, with an event saying so", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const [row] = await startApp(
    client,
    readyApp("slow", {}, { readiness: { kind: "message" }, ready_timeout_ms: 400 }),
  );
  const online = await waitForInstance(client, row!.id, (r) => r.status === "online", "online");
  assertEquals(online.restarts, 0);
  const event = (await events(client, ["slow"])).find((e) => e.to_state === "online");
  assertEquals(event?.event, "ready_timeout");
  assertEquals(event?.from_state, "launching");
  assertMatch(event?.reason ?? "", /within listen_timeout 400 ms; counted as ready, as pm2 does/);
});

Deno.test("an ecosystem file's wait_ready and listen_timeout reach the app", async () => {
  await using daemon = await startDaemon();
  await using scratch = await tempDir();
  const dir = scratch.path;
  const gate = `${dir}/gate`;
  Deno.writeTextFileSync(
    `${dir}/ecosystem.config.js`,
    `module.exports = { apps: [{ name: "eco", script: ${JSON.stringify(`${FIXTURES}ready_app.js`)},
      wait_ready: true, listen_timeout: 20000, env: { READY_GATE: ${
      JSON.stringify(gate)
    } } }] };\n`,
  );
  let failed: string | null = null;
  const started = daemon.cli(["start", "ecosystem.config.js"], { cwd: dir }).then((r) => {
    if (r.code !== 0) failed = `adasa start exited ${r.code}: ${r.stderr}`;
    return r;
  });
  await using client = await daemon.connect();
  const [row] = await waitFor(
    () => {
      if (failed) throw new Error(failed);
      return list(client);
    },
    (rows) => rows.length === 1,
    { what: "eco" },
  );
  await waitFor(() => logTexts(client, "eco"), (t) => t.includes("process.send is a function"), {
    what: "the app running",
  });
  assertEquals((await instance(client, row!.id)).status, "launching");
  Deno.writeTextFileSync(gate, "");
  const result = await started;
  assertEquals(result.code, 0, result.stderr);
  assertEquals((await instance(client, row!.id)).status, "online");
});

Deno.test("every Node app has process.send, whatever its readiness", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const gate = `${daemon.home}/gate`;
  Deno.writeTextFileSync(gate, "");
  await startApp(client, readyApp("plain", { READY_GATE: gate }));
  const texts = await waitFor(() => logTexts(client, "plain"), (t) => t.includes("sent ready"), {
    what: "the app sending ready",
  });
  assert(texts.includes("process.send is a function"));
  const [row] = await list(client);
  assertEquals(row!.status === "launching" || row!.status === "online", true);
});

Deno.test("shutdown_with_message: stop sends 'shutdown' instead of the signal", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const mark = `${daemon.home}/mark`;
  const [row] = await startApp(
    client,
    readyApp("polite", { SHUTDOWN_MARK: mark }, { shutdown_with_message: true }),
  );
  await waitForInstance(client, row!.id, (r) => r.status === "online", "online");
  await client.request("stop", { targets: ["polite"] });
  assertEquals(Deno.readTextFileSync(mark), "got shutdown\n");
  const stopped = await instance(client, row!.id);
  assertEquals(stopped.status, "stopped");
  assertEquals([stopped.exit_code, stopped.exit_signal], [0, null]);
});

Deno.test("shutdown_with_message: an app that ignores it is killed after kill_timeout", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const [row] = await startApp(
    client,
    readyApp("deaf", { SHUTDOWN_MARK: `${daemon.home}/mark`, IGNORE_SHUTDOWN: "1" }, {
      shutdown_with_message: true,
      kill_timeout_ms: 300,
    }),
  );
  await waitForInstance(client, row!.id, (r) => r.status === "online", "online");
  await client.request("stop", { targets: ["deaf"] });
  const stopped = await instance(client, row!.id);
  assertEquals([stopped.status, stopped.exit_signal], ["stopped", "SIGKILL"]);
});

Deno.test("each instance gets pm2's variables: instance_var, increment_var, port, pm_id, name", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const out = Deno.makeTempDirSync({ dir: daemon.home });
  const rows = await startApp(client, {
    name: "vars",
    command: `${FIXTURES}env_app.js`,
    interpreter: "node",
    cwd: FIXTURES,
    instances: 2,
    instance_var: "INSTANCE_ID",
    increment_var: "WORKER_PORT",
    port: 5000,
    env: { OUT_DIR: out, WORKER_PORT: "4000" },
  });
  const seen = await waitFor(
    () => rows.map((r) => readJson(`${out}/${r.id}.json`)),
    (all) => all.every((x) => x !== null),
    { what: "both instances writing their variables" },
  );
  rows.forEach((row, index) => {
    assertEquals(seen[index], {
      NODE_APP_INSTANCE: null,
      INSTANCE_ID: String(index),
      PORT: "5000",
      WORKER_PORT: String(4000 + index),
      pm_id: String(row.id),
      name: "vars",
      exec_mode: "fork_mode",
      instances: "2",
      pm_cwd: FIXTURES,
      pm_exec_path: `${FIXTURES}env_app.js`,
    });
  });
});

function readJson(path: string): unknown {
  try {
    return JSON.parse(Deno.readTextFileSync(path));
  } catch {
    return null;
  }
}

Deno.test("a clustered Node app whose stop signal is SIGKILL (with shutdown_with_message) starts and stops", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const rows = await startApp(client, {
    name: "blunt",
    command: `${FIXTURES}server.js`,
    interpreter: "node",
    exec_mode: "cluster",
    instances: 2,
    stop_signal: "SIGKILL",
    shutdown_with_message: true,
    env: { PORT: "0" },
  });
  await waitFor(() => list(client), (r) => r.every((x) => x.status === "online"), {
    what: "both online",
  });
  assertEquals((await list(client)).map((r) => r.restarts), [0, 0]);
  await client.request("stop", { targets: ["blunt"] });
  for (const row of rows) {
    const stopped = await instance(client, row.id);
    assertEquals([stopped.status, stopped.exit_signal], ["stopped", "SIGKILL"]);
  }
});

Deno.test("a Node app still runs, without the runtime, when the runtime's files cannot be written", async () => {
  const home = makeHome();
  Deno.writeTextFileSync(`${home}/node`, "a file where the runtime's folder would go\n");
  await using daemon = await startDaemon({ home });
  await using client = await daemon.connect();
  const [row] = await startApp(client, readyApp("degraded", {}));
  await waitFor(
    () => logTexts(client, "degraded"),
    (t) => t.includes("process.send is a undefined"),
    {
      what: "the app running without the preload",
    },
  );
  const online = await waitForInstance(client, row!.id, (r) => r.status === "online", "online");
  assertEquals(online.restarts, 0);
  assertMatch(
    Deno.readTextFileSync(`${home}/daemon.log`),
    /Node runtime files not written, "degraded" runs without them/,
  );
});
