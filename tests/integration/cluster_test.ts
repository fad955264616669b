/**
 * Cluster mode end to end (#15.2): a real daemon runs a real Node HTTP server as N workers
 * sharing one port on Node 20 (no reusePort) through the app's balancer. Every worker is an
 * instance of its own: listed, logged, restarted alone, reloaded one at a time, scaled.
 */
import { AdasaClient } from "../../src/ipc/client.ts";
import type { InstanceInfo } from "../../src/protocol/mod.ts";
import type { LogLine } from "../../src/logs/mod.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { list, startApp, waitForInstance } from "../_helpers/apps.ts";
import { FIXTURES, freePort, FreshHttp } from "../_helpers/node.ts";
import { hasVariable, isLive, processes, procText } from "../_helpers/proc.ts";
import { waitFor } from "../_helpers/wait.ts";
import { build } from "../../cli/build.ts";

function startCluster(
  client: AdasaClient,
  port: number,
  instances: number,
  extra: Record<string, unknown> = {},
) {
  return startApp(client, {
    name: "web",
    command: `${FIXTURES}server.js`,
    interpreter: "node",
    exec_mode: "cluster",
    instances,
    env: { PORT: String(port) },
    ...extra,
  });
}

function allOnline(count: number) {
  return (rows: InstanceInfo[]) =>
    rows.length === count && rows.every((r) => r.status === "online");
}

/** The pids that answer `url` within `tries` requests. */
async function responders(http: FreshHttp, url: string, tries: number): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < tries; i++) pids.add((await http.get(url)).pid);
  return pids;
}

/** Live processes tagged with this home that run the balancer. */
function balancerPids(home: string): number[] {
  return [...processes()].filter((p) => {
    const cmdline = procText(p.pid, "cmdline") ?? "";
    const environ = procText(p.pid, "environ") ?? "";
    return isLive(p) && cmdline.includes("/node/balancer-") &&
      hasVariable(environ, "ADASA_MANAGED_BY", home);
  }).map((p) => p.pid);
}

async function logLines(client: AdasaClient, app: string): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const frame of client.stream("logs", { targets: [app], lines: 10_000 })) {
    out.push(...frame.data);
  }
  return out;
}

Deno.test("cluster mode: 3 listed workers share one port, each logs on its own, a crashed one restarts alone", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  using http = new FreshHttp();
  const port = freePort();
  const url = `http://127.0.0.1:${port}/`;
  await startCluster(client, port, 3);
  const rows = await waitFor(() => list(client), allOnline(3), { what: "3 workers online" });
  const pids = new Set(rows.map((r) => r.pid));
  const seen = await waitFor(() => responders(http, url, 9), (s) => s.size === 3, {
    what: "every worker answering",
  });
  assertEquals(seen, pids);
  const replies = await Promise.all([0, 1, 2].map(() => http.get(url)));
  assertEquals(new Set(replies.map((r) => r.port)), new Set([port]));
  const byInstance = await waitFor(
    () => logLines(client, "web"),
    (lines) =>
      new Set(lines.filter((l) => l.text === `listening on ${port}`).map((l) => l.instance_id))
        .size === 3,
    { what: "a listening line from each worker" },
  );
  assert(byInstance.length >= 3);

  // The monitor samples each worker like any instance.
  await waitFor(() => list(client), (r) => r.every((x) => x.memory !== null && x.cpu !== null), {
    what: "cpu and memory of every worker",
  });

  const victim = rows[1]!;
  Deno.kill(victim.pid!, "SIGKILL");
  const restarted = await waitForInstance(
    client,
    victim.id,
    (r) => r.status === "online" && r.pid !== victim.pid,
    "the killed worker back online",
  );
  assertEquals(restarted.restarts, 1);
  const after = await list(client);
  for (const row of after.filter((r) => r.id !== victim.id)) {
    assertEquals(row.restarts, 0);
    assert(pids.has(row.pid), `instance ${row.id} kept its process`);
  }
  await waitFor(() => responders(http, url, 9), (s) => s.has(restarted.pid!), {
    what: "the new worker answering",
  });
  assertEquals(balancerPids(daemon.home).length, 1);
});

for (
  const [how, extra] of [
    ["min_uptime", {}],
    ["wait_ready", { readiness: { kind: "message" }, ready_timeout_ms: 3_000 }],
  ] as const
) {
  Deno.test(`cluster reload (readiness ${how}) replaces workers one at a time: no failed request for a client polling every 10 ms`, () =>
    reloadUnderPolling(extra));
}

async function reloadUnderPolling(extra: Record<string, unknown>): Promise<void> {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  using http = new FreshHttp();
  const port = freePort();
  const url = `http://127.0.0.1:${port}/`;
  await startCluster(client, port, 2, extra);
  const before = await waitFor(() => list(client), allOnline(2), { what: "2 workers online" });
  await http.waitUp(url);
  let polling = true;
  let requests = 0;
  const failures: string[] = [];
  const answered = new Set<number>();
  const poller = (async () => {
    while (polling) {
      try {
        // Slow answers: a request is in flight on the worker that gets the stop signal.
        answered.add((await http.get(`${url}slow`)).pid);
      } catch (error) {
        failures.push(String((error as Error).cause ?? error));
      }
      requests++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    await client.request("reload", { targets: ["web"] });
    const after = await list(client);
    const fresh = new Set(after.map((r) => r.pid));
    await waitFor(() => [...answered].filter((p) => fresh.has(p)).length, (n) => n === 2, {
      what: "both new workers answering the poller",
    });
    assert(before.every((r) => !fresh.has(r.pid)), "every worker was replaced");
  } finally {
    polling = false;
    await poller;
  }
  assertEquals(failures, [], `${failures.length} of ${requests} requests failed`);
  // With wait_ready a reload takes well under a second: a few slow requests span it.
  assert(requests >= 3, `only ${requests} requests during the reload`);
  assert(before.some((r) => answered.has(r.pid!)), "the old workers answered before the reload");
}

Deno.test("cluster scale adds and removes workers behind the same port", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  using http = new FreshHttp();
  const port = freePort();
  const url = `http://127.0.0.1:${port}/`;
  await startCluster(client, port, 1);
  await waitFor(() => list(client), allOnline(1), { what: "1 worker online" });
  await client.request("scale", { app: "web", instances: 3 });
  const three = await waitFor(() => list(client), allOnline(3), { what: "3 workers online" });
  await waitFor(() => responders(http, url, 9), (s) => s.size === 3, { what: "3 responders" });
  await client.request("scale", { app: "web", instances: 1 });
  const [left] = await list(client);
  assertEquals(left!.pid, three[0]!.pid);
  for (let i = 0; i < 5; i++) assertEquals((await http.get(url)).pid, left!.pid);
});

Deno.test("a killed balancer is started again and the workers register with it again", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  using http = new FreshHttp();
  const port = freePort();
  const url = `http://127.0.0.1:${port}/`;
  await startCluster(client, port, 2);
  const rows = await waitFor(() => list(client), allOnline(2), { what: "2 workers online" });
  await http.waitUp(url);
  const [first] = balancerPids(daemon.home);
  assert(first !== undefined, "a balancer runs");
  Deno.kill(first, "SIGKILL");
  await waitFor(() => balancerPids(daemon.home), (p) => p.length === 1 && p[0] !== first, {
    what: "a new balancer",
  });
  const seen = await waitFor(
    async () => {
      try {
        return await responders(http, url, 6);
      } catch {
        return new Set<number>();
      }
    },
    (s) => s.size === 2,
    { what: "both workers answering through the new balancer" },
  );
  assertEquals(seen, new Set(rows.map((r) => r.pid)));
  assertEquals((await list(client)).map((r) => r.restarts), [0, 0]);
});

Deno.test("stopping the daemon stops the balancer with the workers", async () => {
  const home = await Deno.makeTempDir({ prefix: "adasa-test-" });
  try {
    {
      await using daemon = await startDaemon({ home, keepHome: true });
      await using client = await daemon.connect();
      await startCluster(client, freePort(), 2);
      await waitFor(() => list(client), allOnline(2), { what: "2 workers online" });
      assertEquals(balancerPids(home).length, 1);
    }
    assertEquals(balancerPids(home), []);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("after a daemon crash the old balancer ends and the next daemon's workers get the port", async () => {
  const home = await Deno.makeTempDir({ prefix: "adasa-test-" });
  using http = new FreshHttp();
  const port = freePort();
  const url = `http://127.0.0.1:${port}/`;
  try {
    let first: number | undefined;
    {
      const daemon = await startDaemon({ home, keepHome: true });
      await using client = await daemon.connect();
      await startCluster(client, port, 2);
      await waitFor(() => list(client), allOnline(2), { what: "2 workers online" });
      [first] = balancerPids(home);
      await daemon.kill();
    }
    // Orphaned: it sees its parent gone and exits, freeing the port.
    await waitFor(() => balancerPids(home).includes(first!), (alive) => !alive, {
      what: "the old balancer gone",
    });
    await using daemon = await startDaemon({ home, keepHome: true });
    await using client = await daemon.connect();
    const rows = await waitFor(() => list(client), allOnline(2), { what: "2 workers online" });
    const seen = await waitFor(() => responders(http, url, 6), (s) => s.size === 2, {
      what: "both new workers answering",
      timeoutMs: 20_000,
    });
    assertEquals(seen, new Set(rows.map((r) => r.pid)));
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("stopping a clustered app frees its port", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  using http = new FreshHttp();
  const port = freePort();
  await startCluster(client, port, 2);
  await waitFor(() => list(client), allOnline(2), { what: "2 workers online" });
  await http.waitUp(`http://127.0.0.1:${port}/`);
  await client.request("stop", { targets: ["web"] });
  const bound = await waitFor(
    () => {
      try {
        Deno.listen({ hostname: "0.0.0.0", port }).close();
        return "free";
      } catch (error) {
        return String(error);
      }
    },
    (state) => state === "free",
    { what: `port ${port} free again` },
  );
  assertEquals(bound, "free");
  await waitFor(() => balancerPids(daemon.home), (p) => p.length === 0, {
    what: "the balancer gone",
  });
});

Deno.test("the bundled daemon (no source tree beside it) runs a clustered app", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-bundle-" });
  const home = `${dir}/home`;
  using http = new FreshHttp();
  const port = freePort();
  let daemon: Deno.ChildProcess | null = null;
  try {
    await build(dir); // what `deno task build` makes
    daemon = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", `${dir}/adasad.js`, "--background"],
      cwd: dir,
      env: { ADASA_HOME: home },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitFor(
      async () => {
        try {
          await using client = await AdasaClient.connect({ home });
          await startCluster(client, port, 2);
          return "started";
        } catch (error) {
          return String(error);
        }
      },
      (state) => state === "started",
      { what: "the bundled daemon answering" },
    );
    await using client = await AdasaClient.connect({ home });
    const rows = await waitFor(() => list(client), allOnline(2), { what: "2 workers online" });
    await http.waitUp(`http://127.0.0.1:${port}/`);
    const seen = await waitFor(
      () => responders(http, `http://127.0.0.1:${port}/`, 6),
      (s) => s.size === 2,
      { what: "both workers answering" },
    );
    assertEquals(seen, new Set(rows.map((r) => r.pid)));
  } finally {
    if (daemon) {
      daemon.kill("SIGTERM");
      await daemon.status;
    }
    assertEquals(balancerPids(home), []);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an Express-style bin/www (no extension, a Node shebang, not executable) runs as a cluster", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  using http = new FreshHttp();
  const port = freePort();
  await startApp(client, {
    name: "www",
    command: `${FIXTURES}bin/www`,
    exec_mode: "cluster",
    instances: 2,
    env: { PORT: String(port) },
  });
  const rows = await waitFor(() => list(client), allOnline(2), { what: "2 workers online" });
  await http.waitUp(`http://127.0.0.1:${port}/`);
  const seen = await waitFor(
    () => responders(http, `http://127.0.0.1:${port}/`, 6),
    (s) => s.size === 2,
    { what: "both workers answering" },
  );
  assertEquals(seen, new Set(rows.map((r) => r.pid)));
});
