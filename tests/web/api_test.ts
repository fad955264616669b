/**
 * The HTTP API over real HTTP against a real daemon: every endpoint, the token check (401 and
 * nothing happens), strict parameters (400 naming the parameter) and the event-stream follow.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { waitFor } from "../_helpers/wait.ts";
import type { EventRecord, InstanceInfo } from "../../src/protocol/messages.ts";
import { call, errorOf, post, shellApp, startWeb, type WebStatus } from "./_web.ts";

const FAST = { ADASA_SAMPLE_INTERVAL_MS: "200" };

Deno.test("every API endpoint answers with what its op returns", async () => {
  await using d = await startDaemon({ env: FAST });
  const web = await startWeb(d);
  const started = await web.call("/api/start", post(shellApp("api", "echo up; exec sleep 600")));
  assertEquals(started.status, 200, JSON.stringify(started.body));
  const [row] = started.body as InstanceInfo[];
  assert(row, "start returned the instance");
  const online = () => web.call("/api/list").then((r) => r.body as InstanceInfo[]);
  await waitFor(online, (rows) => rows[0]?.status === "online", { what: "api online" });

  const described = await web.call(`/api/describe/${encodeURIComponent("api")}`);
  assertEquals(described.status, 200);
  assertEquals((described.body as Array<{ spec: { name: string } }>)[0]?.spec.name, "api");

  const stats = await waitFor(
    () => web.call("/api/stats?targets=api&since=10m&until=now&max_points=50"),
    (r) => (r.body as { points: unknown[] }).points.length > 0,
    { what: "stats points" },
  );
  assertEquals(stats.status, 200);

  const logs = await waitFor(
    () => web.call("/api/logs?targets=api&lines=10&stream=out"),
    (r) => (r.body as Array<{ text: string }>).some((l) => l.text === "up"),
    { what: "the line 'up'" },
  );
  assertEquals(logs.status, 200);
  const grepped = await web.call("/api/logs?targets=api&since=1h&grep=nothing-like-this");
  assertEquals(grepped.body, []);

  const daemon = await web.call("/api/daemon");
  assertEquals((daemon.body as { pid: number }).pid, d.pid);

  await checkLifecycle(web.call, row.id);
});

async function checkLifecycle(
  api: (path: string, init?: RequestInit) => Promise<{ status: number; body: unknown }>,
  id: number,
): Promise<void> {
  const targets = { targets: [String(id)] };
  const restarted = await api("/api/restart", post(targets));
  assertEquals(restarted.status, 200);
  assertEquals((restarted.body as InstanceInfo[])[0]?.restarts, 1);
  const reloaded = await api("/api/reload", post(targets));
  assertEquals(reloaded.status, 200);
  assertEquals((reloaded.body as InstanceInfo[])[0]?.restarts, 2);
  const stopped = await api("/api/stop", post(targets));
  assertEquals((stopped.body as InstanceInfo[])[0]?.status, "stopped");
  const events = await api(`/api/events?targets=api&since=1h&until=now&limit=1000`);
  const kinds = (events.body as EventRecord[]).map((e) => e.event);
  assert(kinds.includes("created") && kinds.includes("stop"), `events: ${kinds.join(", ")}`);
  const startedAgain = await api("/api/start", post(targets));
  assertEquals(startedAgain.status, 200);
  const deleted = await api("/api/delete", post({ targets: ["api"] }));
  assertEquals(deleted.body, { deleted_ids: [id], deleted_apps: ["api"] });
  assertEquals((await api("/api/list")).body, []);
}

Deno.test("start, stop, restart and reload of an app name act on every instance of that app, and its events name them all", async () => {
  await using d = await startDaemon({ env: FAST });
  const web = await startWeb(d);
  const spec = shellApp("pair", "exec sleep 600", { instances: 2, exec_mode: "fork" });
  const other = await web.call("/api/start", post(shellApp("bystander", "exec sleep 600")));
  const started = await web.call("/api/start", post(spec));
  assertEquals(started.status, 200, JSON.stringify(started.body));
  const ids = (started.body as InstanceInfo[]).map((r) => r.id).sort();
  assertEquals(ids.length, 2, "two instances");
  const bystander = (other.body as InstanceInfo[])[0]!.id;
  const rows = async () => (await web.call("/api/list")).body as InstanceInfo[];
  const pairRows = async () => (await rows()).filter((r) => r.name === "pair");
  await waitFor(rows, (all) => all.every((r) => r.status === "online"), { what: "all online" });
  const pidsOf = async () => (await pairRows()).map((r) => r.pid);
  const bystanderPid = (await rows()).find((r) => r.id === bystander)!.pid;

  for (const [op, restarts] of [["restart", 1], ["reload", 2]] as const) {
    const before = await pidsOf();
    const reply = await web.call(`/api/${op}`, post({ targets: ["pair"] }));
    assertEquals(reply.status, 200, JSON.stringify(reply.body));
    assertEquals((reply.body as InstanceInfo[]).map((r) => r.id).sort(), ids, `${op} replies both`);
    const after = await waitFor(pairRows, (r) => r.every((x) => x.status === "online"), {
      what: `pair online after ${op}`,
    });
    assertEquals(after.map((r) => r.restarts), [restarts, restarts], `${op}: both counted`);
    for (const [i, pid] of after.map((r) => r.pid).entries()) {
      assert(pid !== null && pid !== before[i], `${op}: instance ${i} has a new process`);
    }
  }
  const stopped = await web.call("/api/stop", post({ targets: ["pair"] }));
  assertEquals((stopped.body as InstanceInfo[]).map((r) => r.status), ["stopped", "stopped"]);
  assertEquals((await pairRows()).map((r) => r.pid), [null, null]);
  const again = await web.call("/api/start", post({ targets: ["pair"] }));
  assertEquals(again.status, 200, JSON.stringify(again.body));
  await waitFor(pairRows, (r) => r.every((x) => x.status === "online"), { what: "pair back" });
  const untouched = (await rows()).find((r) => r.id === bystander)!;
  assertEquals(
    [untouched.pid, untouched.restarts],
    [bystanderPid, 0],
    "the other app is untouched",
  );

  const events = (await web.call("/api/events?targets=pair&limit=200")).body as EventRecord[];
  for (const id of ids) {
    const kinds = events.filter((e) => e.instance_id === id).map((e) => e.event);
    for (const kind of ["restart", "reload", "stop", "start"]) {
      assert(kinds.includes(kind), `instance ${id} has a ${kind} event: ${kinds.join(", ")}`);
    }
  }
  assertEquals(events.filter((e) => e.instance_id === bystander), [], "only the app's events");
});

Deno.test("no token or a wrong token gets 401 and nothing happens", async () => {
  await using d = await startDaemon();
  const web = await startWeb(d);
  const started = await web.call("/api/start", post(shellApp("keep", "exec sleep 600")));
  const [row] = started.body as InstanceInfo[];
  const wrong = "0".repeat(64);
  for (const token of [null, wrong, web.token.slice(0, -1)]) {
    for (const op of ["stop", "restart", "delete"]) {
      const reply = await call(`${web.base}/api/${op}`, token, post({ targets: ["keep"] }));
      assertEquals(reply.status, 401, `${op} with token ${token}`);
      assertEquals(errorOf(reply.body).code, "UNAUTHORIZED");
    }
    const started2 = await call(`${web.base}/api/start`, token, post(shellApp("x", "sleep 1")));
    assertEquals(started2.status, 401);
    for (const path of ["/api/list", "/api/logs", "/api/logs/follow", "/metrics"]) {
      assertEquals((await call(`${web.base}${path}`, token)).status, 401, path);
    }
  }
  assertEquals((await call(`${web.base}/api/list?token=${wrong}`, null)).status, 401);
  const rows = (await web.call("/api/list")).body as InstanceInfo[];
  assertEquals(rows.map((r) => [r.name, r.pid, r.restarts]), [["keep", row?.pid, 0]]);
  // The right token in the URL is refused too: only the event stream takes it there (#16.7).
  const inUrl = await call(`${web.base}/api/list?token=${web.token}`, null);
  assertEquals(inUrl.status, 401);
  assertMatch(errorOf(inUrl.body).message, /accepted only by GET \/api\/logs\/follow/);
});

Deno.test("bad parameters get 400 naming the parameter", async () => {
  await using d = await startDaemon();
  const web = await startWeb(d);
  await web.call("/api/start", post(shellApp("app", "exec sleep 600")));
  const cases: Array<[string, RequestInit | undefined, number, string, RegExp]> = [
    ["/api/events?since=yesterdayish", undefined, 400, "INVALID_ARGUMENT", /"since"/],
    ["/api/events?until=soon", undefined, 400, "INVALID_ARGUMENT", /"until"/],
    ["/api/events?limit=0", undefined, 400, "INVALID_ARGUMENT", /"limit"/],
    ["/api/events?limit=ten", undefined, 400, "INVALID_ARGUMENT", /"limit"/],
    ["/api/stats?max_points=-1", undefined, 400, "INVALID_ARGUMENT", /"max_points"/],
    ["/api/logs?stream=both", undefined, 400, "INVALID_ARGUMENT", /"stream"/],
    ["/api/logs?lines=1&lines=2", undefined, 400, "INVALID_ARGUMENT", /"lines"/],
    ["/api/logs?regex=maybe", undefined, 400, "INVALID_ARGUMENT", /"regex"/],
    ["/api/logs/follow?since=x", undefined, 400, "INVALID_ARGUMENT", /"since"/],
    ["/api/list?bogus=1", undefined, 400, "INVALID_ARGUMENT", /"bogus"/],
    ["/api/events?targets=a,,b", undefined, 400, "INVALID_ARGUMENT", /"targets"/],
    ["/api/stop", post({ targets: "app" }), 400, "INVALID_ARGUMENT", /targets/],
    ["/api/stop", post({ target: ["app"] }), 400, "INVALID_ARGUMENT", /"target"/],
    ["/api/stop", { method: "POST", body: "{nope" }, 400, "INVALID_ARGUMENT", /Body/],
    ["/api/restart", post({}), 400, "INVALID_ARGUMENT", /targets/],
    ["/api/describe/nope", undefined, 404, "NOT_FOUND", /nope/],
    ["/api/logs?targets=nope", undefined, 404, "NOT_FOUND", /nope/],
    ["/api/start", post(shellApp("app", "sleep 1")), 409, "ALREADY_EXISTS", /app/],
    ["/api/stop", undefined, 405, "METHOD_NOT_ALLOWED", /POST/],
    ["/api/nothing", undefined, 404, "NOT_FOUND", /nothing/],
  ];
  for (const [path, init, status, code, message] of cases) {
    const reply = await web.call(path, init);
    assertEquals(reply.status, status, `${path}: ${JSON.stringify(reply.body)}`);
    assertEquals(errorOf(reply.body).code, code, path);
    assertMatch(errorOf(reply.body).message, message);
  }
  const rows = (await web.call("/api/list")).body as InstanceInfo[];
  assertEquals(rows.map((r) => [r.name, r.restarts]), [["app", 0]]);
});

Deno.test("GET /api/logs/follow streams new lines as server-sent events", async () => {
  await using d = await startDaemon();
  const web = await startWeb(d);
  const script = "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done";
  await web.call("/api/start", post(shellApp("ticker", script)));
  const since = Date.now();
  const response = await fetch(`${web.base}/api/logs/follow?targets=ticker&lines=0`, {
    headers: { authorization: `Bearer ${web.token}` },
  });
  assertEquals(response.status, 200);
  assertMatch(response.headers.get("content-type") ?? "", /^text\/event-stream/);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  // A follow that never delivers must fail the test, not hang it.
  const deadline = setTimeout(() => reader.cancel(), 10_000);
  try {
    while ((text.match(/^event: lines$/gm) ?? []).length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    clearTimeout(deadline);
    await reader.cancel();
  }
  const frames = [...text.matchAll(/^event: lines\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]!));
  assert(frames.length >= 2, `want two frames, got ${text}`);
  const lines = frames.flat() as Array<{ text: string; time: number; app: string }>;
  assert(lines.every((l) => l.app === "ticker" && /^tick \d+$/.test(l.text)), text);
  assert(lines.every((l) => l.time >= since - 50), "only lines written after the follow began");
});

Deno.test("adasa web prints a URL with the token; web.token is 0600; --stop stops it", async () => {
  await using d = await startDaemon();
  const result = await d.cli(["web", "--port", "0", "--json"]);
  assertEquals(result.code, 0, result.stderr);
  const status = JSON.parse(result.stdout) as WebStatus;
  const token = (await Deno.readTextFile(`${d.home}/web.token`)).trim();
  assertMatch(token, /^[0-9a-f]{64}$/);
  assertEquals((await Deno.stat(`${d.home}/web.token`)).mode! & 0o777, 0o600);
  assertEquals(status.url, `http://127.0.0.1:${status.port}/?token=${token}`);
  const page = await call(status.url, null);
  assertEquals(page.status, 200);
  assertMatch(String(page.body), /<title>Adasa<\/title>/);
  const refused = await d.cli(["web", "--port", "0", "--host", "0.0.0.0", "--token", "short"]);
  assertEquals(refused.code, 2, refused.stdout);
  assertMatch(refused.stderr, /token/);
  const stopped = await d.cli(["web", "--stop"]);
  assertEquals([stopped.code, stopped.stdout.trim()], [0, "Web server stopped"]);
  await assertRefused(`http://127.0.0.1:${status.port}/api/list`);
});

Deno.test("another host without a token file gets a new token and a plain-HTTP warning", async () => {
  await using d = await startDaemon();
  await using client = await d.connect();
  const status = await client.request("web_start", { port: 0, host: "0.0.0.0" });
  assert(existsSync(`${d.home}/web.token`), "a token file was written");
  assertEquals(status.warnings.length, 1, JSON.stringify(status.warnings));
  assertMatch(status.warnings[0]!, /^Serving on 0\.0\.0\.0 over plain HTTP/);
  assertEquals((await client.request("web_stop", {})).stopped, true);
});

Deno.test("ADASA_WEB_PORT serves the dashboard from daemon start", async () => {
  const port = freePort();
  await using d = await startDaemon({ env: { ADASA_WEB_PORT: String(port) } });
  const token = await waitFor(
    () => existsSync(`${d.home}/web.token`),
    (found) => found,
    { what: "web.token" },
  ).then(() => Deno.readTextFileSync(`${d.home}/web.token`).trim());
  const reply = await call(`http://127.0.0.1:${port}/api/list`, token);
  assertEquals([reply.status, reply.body], [200, []]);
});

function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

async function assertRefused(url: string): Promise<void> {
  try {
    const response = await fetch(url);
    await response.body?.cancel();
  } catch {
    return;
  }
  throw new Error(`${url} still answers`);
}
