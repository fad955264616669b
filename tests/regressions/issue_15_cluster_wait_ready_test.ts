// deno-lint-ignore-file no-sync-fn-in-async-fn -- tests write their ecosystem files synchronously
/**
 * #15's reproductions for cluster mode and wait_ready, as pm2 ecosystem files run them: a
 * 2-instance cluster of a Node server crash-looped on EADDRINUSE (Node 20 has no reusePort),
 * and a wait_ready app that never calls process.send("ready") was never ready, then killed,
 * where pm2 carries on after listen_timeout.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { list } from "../_helpers/apps.ts";
import { FIXTURES, freePort, FreshHttp, tempDir } from "../_helpers/node.ts";
import { waitFor } from "../_helpers/wait.ts";

Deno.test("#15: a 2-instance cluster of a Node server shares its port instead of crash-looping", async () => {
  await using daemon = await startDaemon();
  using http = new FreshHttp();
  const port = freePort();
  await using scratch = await tempDir();
  const dir = scratch.path;
  Deno.writeTextFileSync(
    `${dir}/ecosystem.config.js`,
    `module.exports = { apps: [{ name: "api", script: ${JSON.stringify(`${FIXTURES}server.js`)},
      exec_mode: "cluster", instances: 2, env: { PORT: ${port} } }] };\n`,
  );
  const started = await daemon.cli(["start", "ecosystem.config.js"], { cwd: dir });
  assertEquals(started.code, 0, started.stderr);
  await using client = await daemon.connect();
  const rows = await waitFor(
    () => list(client),
    (r) => r.length === 2 && r.every((x) => x.status === "online"),
    { what: "2 online" },
  );
  const pids = new Set<number>();
  await waitFor(
    async () => {
      pids.add((await http.get(`http://127.0.0.1:${port}/`)).pid);
      return pids.size;
    },
    (n) => n === 2,
    { what: "both instances answering" },
  );
  assertEquals(pids, new Set(rows.map((r) => r.pid)));
  assertEquals((await list(client)).map((r) => r.restarts), [0, 0]);
});

Deno.test("#15: a wait_ready app that never sends ready is online after listen_timeout, not killed", async () => {
  await using daemon = await startDaemon();
  await using scratch = await tempDir();
  const dir = scratch.path;
  Deno.writeTextFileSync(
    `${dir}/ecosystem.config.js`,
    `module.exports = { apps: [{ name: "quiet", script: ${
      JSON.stringify(`${FIXTURES}ready_app.js`)
    }, wait_ready: true, listen_timeout: 500 }] };\n`,
  );
  const started = await daemon.cli(["start", "ecosystem.config.js"], { cwd: dir });
  assertEquals(started.code, 0, started.stderr);
  await using client = await daemon.connect();
  const [row] = await waitFor(() => list(client), (r) => r[0]?.status === "online", {
    what: "online",
  });
  assertEquals([row!.restarts, row!.unstable_restarts], [0, 0]);
});
