/**
 * #16.7: the web server took any Host (DNS rebinding reached `/metrics` with
 * `--metrics-public`), parsed `text/plain` and form bodies as JSON, accepted `?token=` on POST,
 * and `--host 0.0.0.0` silently reused the loopback token over plain HTTP. Requests with a
 * chosen Host header are written by hand over TCP: fetch() sets Host itself.
 */
import type { InstanceInfo } from "../../src/protocol/mod.ts";
import { hostAllowed, hostnameOf } from "../../src/web/host_check.ts";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { call, errorOf, post, shellApp, startWeb } from "../web/_web.ts";

/** One HTTP/1.1 request with exactly these headers; returns the status and the body. */
async function rawHttp(
  port: number,
  request: { method?: string; path: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const body = request.body ?? "";
    const head = [
      `${request.method ?? "GET"} ${request.path} HTTP/1.1`,
      ...Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`),
      `content-length: ${new TextEncoder().encode(body).length}`,
      "connection: close",
      "",
      "",
    ].join("\r\n");
    await conn.write(new TextEncoder().encode(head + body));
    const text = await new Response(conn.readable).text();
    const status = Number(text.match(/^HTTP\/1\.1 (\d{3})/)?.[1]);
    return { status, body: text.slice(text.indexOf("\r\n\r\n") + 4) };
  } catch (error) {
    try {
      conn.close();
    } catch { /* closed by the readable */ }
    throw error;
  }
}

Deno.test("hostAllowed() takes localhost names, IP literals, the bound name and the machine", () => {
  const cases: Array<[string | null, string, boolean]> = [
    ["localhost:9615", "127.0.0.1", true],
    ["LOCALHOST.", "127.0.0.1", true],
    ["app.localhost:1", "127.0.0.1", true],
    ["127.0.0.1:9615", "127.0.0.1", true],
    ["[::1]:9615", "::1", true],
    ["10.1.2.3", "0.0.0.0", true],
    ["box:9615", "0.0.0.0", true], // the machine's name below
    ["dash.example:9615", "dash.example", true],
    ["evil.example:9615", "127.0.0.1", false],
    ["evil.example", "0.0.0.0", false],
    ["127.0.0.1.evil.example", "127.0.0.1", false],
    ["", "127.0.0.1", false],
    [null, "127.0.0.1", false],
  ];
  for (const [header, bound, want] of cases) {
    assertEquals(hostAllowed(header, bound, "box"), want, `${header} on ${bound}`);
  }
  assertEquals(hostnameOf("[::1]:80"), "[::1]");
});

Deno.test("a rebinding Host gets 403 everywhere, public metrics and the page included", async () => {
  await using d = await startDaemon();
  const web = await startWeb(d, { metrics_public: true });
  const port = Number(new URL(web.base).port);
  for (const path of ["/metrics", "/", "/api/list"]) {
    const reply = await rawHttp(port, {
      path,
      headers: { host: `evil.example:${port}`, authorization: `Bearer ${web.token}` },
    });
    assertEquals(reply.status, 403, `${path}: ${reply.body}`);
    assertEquals(errorOf(JSON.parse(reply.body)).code, "FORBIDDEN_HOST");
  }
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `${Deno.hostname()}:${port}`]) {
    const reply = await rawHttp(port, { path: "/metrics", headers: { host } });
    assertEquals(reply.status, 200, `${host}: ${reply.body}`);
    assertMatch(reply.body, /^# HELP adasa_instance_up/m);
  }
});

Deno.test("a POST without Content-Type: application/json gets 415 and does nothing", async () => {
  await using d = await startDaemon();
  const web = await startWeb(d);
  const port = Number(new URL(web.base).port);
  const started = await web.call("/api/start", post(shellApp("keep", "exec sleep 600")));
  const [row] = started.body as InstanceInfo[];
  const body = JSON.stringify({ targets: ["keep"] });
  for (const type of ["text/plain", "application/x-www-form-urlencoded", null]) {
    const headers: Record<string, string> = {
      host: `127.0.0.1:${port}`,
      authorization: `Bearer ${web.token}`,
    };
    if (type !== null) headers["content-type"] = type;
    const reply = await rawHttp(port, { method: "POST", path: "/api/stop", headers, body });
    assertEquals(reply.status, 415, `${type}: ${reply.body}`);
    const error = errorOf(JSON.parse(reply.body));
    assertEquals(error.code, "UNSUPPORTED_MEDIA_TYPE");
    assertMatch(error.message, /needs Content-Type: application\/json/);
  }
  const rows = (await web.call("/api/list")).body as InstanceInfo[];
  // Still running, the same process (it may have gone from launching to online meanwhile).
  assertEquals(rows.map((r) => [r.name, r.pid, r.desired]), [["keep", row!.pid, "up"]]);
  assert(rows[0]!.status !== "stopping" && rows[0]!.status !== "stopped", rows[0]!.status);
  const withCharset = await call(`${web.base}/api/stop`, web.token, {
    method: "POST",
    body,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
  assertEquals(withCharset.status, 200, JSON.stringify(withCharset.body));
});

Deno.test("the token in the URL works only for the event stream, never for a POST", async () => {
  await using d = await startDaemon();
  const web = await startWeb(d);
  await web.call("/api/start", post(shellApp("keep", "exec sleep 600")));
  const stop = await call(
    `${web.base}/api/stop?token=${web.token}`,
    null,
    post({ targets: ["keep"] }),
  );
  assertEquals(stop.status, 401);
  assertMatch(errorOf(stop.body).message, /accepted only by GET \/api\/logs\/follow/);
  const rows = (await web.call("/api/list")).body as InstanceInfo[];
  assert(rows[0]!.status !== "stopped", "the app was not stopped");
  const follow = await fetch(`${web.base}/api/logs/follow?targets=keep&lines=0&token=${web.token}`);
  assertEquals(follow.status, 200);
  await follow.body!.cancel();
});

Deno.test("--host 0.0.0.0 makes a new token instead of reusing the loopback one, and warns", async () => {
  await using d = await startDaemon();
  const local = await startWeb(d);
  const result = await d.cli(["web", "--port", "0", "--host", "0.0.0.0", "--json"]);
  assertEquals(result.code, 0, result.stderr);
  const lines = result.stderr.trim().split("\n");
  assertMatch(lines[0]!, /^Warning: Serving on 0\.0\.0\.0 over plain HTTP/);
  assertMatch(
    lines[1]!,
    /^Warning: Made a new token for 0\.0\.0\.0 .*previous one no longer works/,
  );
  const status = JSON.parse(result.stdout) as { port: number; url: string };
  const token = (await Deno.readTextFile(`${d.home}/web.token`)).trim();
  assert(token !== local.token, "a new token");
  assertEquals(new URL(status.url).searchParams.get("token"), token);
  const base = `http://127.0.0.1:${status.port}`;
  assertEquals((await call(`${base}/api/list`, local.token)).status, 401, "the old token");
  assertEquals((await call(`${base}/api/list`, token)).status, 200, "the new token");
  const log = await Deno.readTextFile(`${d.home}/daemon.log`);
  assert(log.includes("over plain HTTP"), "the warning is in daemon.log too");
  assertEquals((await d.cli(["web", "--stop"])).code, 0);
});
