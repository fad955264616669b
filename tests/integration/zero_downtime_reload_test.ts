/**
 * `adasa reload` of a 3-instance HTTP server (sharing its port with SO_REUSEPORT): each new
 * process must be ready before the old one gets its stop signal, so a client polling every
 * 10 ms sees no failed request.
 *
 * One failure is not Adasa's to prevent: when a SO_REUSEPORT listener closes, Linux resets the
 * connections already queued on it (unless `net.ipv4.tcp_migrate_req` is 1). Such a reset is
 * counted apart; a refused connection, which is what an old process stopped before its
 * replacement is ready gives, still fails the test.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { list, startApp } from "../_helpers/apps.ts";
import { waitFor } from "../_helpers/wait.ts";

const FIXTURES = new URL("../fixtures/readiness/", import.meta.url).pathname;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** One GET on a fresh connection (HTTP/1.0: the server closes it); the body, or the error. */
async function getOnce(port: number): Promise<{ ok: boolean; text: string }> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await conn.write(new TextEncoder().encode("GET / HTTP/1.0\r\nHost: x\r\n\r\n"));
      const chunks: Uint8Array[] = [];
      const buffer = new Uint8Array(4096);
      for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
        chunks.push(buffer.slice(0, n));
      }
      const text = new TextDecoder().decode(
        chunks.reduce((a, b) => new Uint8Array([...a, ...b]), new Uint8Array()),
      );
      return { ok: text.startsWith("HTTP/1.") && text.includes(" 200 "), text };
    } finally {
      conn.close();
    }
  } catch (error) {
    return { ok: false, text: String(error) };
  }
}

Deno.test("reload of a 3-instance HTTP server: no failed request for a client polling every 10 ms", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const port = freePort();
  await startApp(client, {
    name: "web",
    command: `${FIXTURES}http_server.ts`,
    interpreter: Deno.execPath(),
    interpreter_args: ["run", "--allow-net", "--allow-env", "--allow-write", "--unstable-net"],
    env: { PORT: String(port), START_DELAY_MS: "200" },
    instances: 3,
    readiness: { kind: "notify" },
    kill_timeout_ms: 5_000,
  });
  const before = await waitFor(
    () => list(client),
    (rows) => rows.length === 3 && rows.every((r) => r.status === "online"),
    { what: "3 online" },
  );
  const oldPids = new Set(before.map((r) => r.pid));

  let polling = true;
  const failures: string[] = [];
  let queuedResets = 0;
  const migratesQueue = (() => {
    try {
      return Deno.readTextFileSync("/proc/sys/net/ipv4/tcp_migrate_req").trim() === "1";
    } catch {
      return false;
    }
  })();
  const seen = new Set<string>();
  let requests = 0;
  const poller = (async () => {
    while (polling) {
      const result = await getOnce(port);
      requests++;
      if (!result.ok && !migratesQueue && result.text.startsWith("ConnectionReset")) queuedResets++;
      else if (!result.ok) failures.push(result.text.slice(0, 200));
      else seen.add(result.text.trim().split("\n").at(-1) ?? "");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  let after: Awaited<ReturnType<typeof list>> = [];
  try {
    await client.request("reload", { targets: ["web"] });
    after = await list(client);
    // Keep polling until every new process has answered (the kernel spreads connections).
    await waitFor(() => after.every((r) => seen.has(`pid ${r.pid}`)), (all) => all, {
      what: "an answer from every new process",
    });
  } finally {
    polling = false;
    await poller;
  }

  assertEquals(after.map((r) => r.status), ["online", "online", "online"]);
  assert(after.every((r) => !oldPids.has(r.pid)), "every instance has a new process");
  assertEquals(after.map((r) => r.restarts), [1, 1, 1]);
  assertEquals(failures, [], `${failures.length} of ${requests} requests failed`);
  assert(queuedResets <= 3, `${queuedResets} of ${requests} requests reset`);
  assert(requests > 20, `only ${requests} requests during the reload`);
});
