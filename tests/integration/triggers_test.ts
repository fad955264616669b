// deno-lint-ignore-file no-sync-fn-in-async-fn -- the test writes small files in its temp folder
/**
 * Restarts that come from outside the process, end to end: `cron_restart` (a 6-field pattern,
 * every 2 s) and `watch` on a temp folder, with apps started from files by the real CLI.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { events, list, waitForInstance } from "../_helpers/apps.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { waitFor } from "../_helpers/wait.ts";
import type { AdasaClient } from "../../src/ipc/client.ts";
import type { EventRecord } from "../../src/protocol/messages.ts";

const FIXTURES = new URL("../fixtures/config_e2e/", import.meta.url).pathname;

function triggers(client: AdasaClient, app: string): Promise<EventRecord[]> {
  return events(client, [app]).then((all) => all.filter((e) => e.event === "trigger"));
}

/** A fixed pause, only where the test asserts that something does NOT happen. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("cron_restart every 2 s restarts the app with a trigger event, and leaves a stopped app stopped", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const started = await daemon.cli(["start", "cron.toml"], { cwd: FIXTURES });
  assertEquals(started.code, 0, started.stderr);
  const [row] = await list(client);
  const first = await waitForInstance(client, row!.id, (r) => r.pid !== null, "a pid");
  const restarted = await waitForInstance(
    client,
    row!.id,
    (r) => r.pid !== null && r.pid !== first.pid && r.restarts >= 1,
    "a new pid from the cron",
    5_000,
  );
  assert(restarted.pid !== first.pid);
  const [trigger] = await triggers(client, "ticker");
  assertEquals(trigger?.reason, "cron_restart */2 * * * * *");

  const stopped = await daemon.cli(["stop", "ticker"]);
  assertEquals(stopped.code, 0, stopped.stderr);
  const seen = (await triggers(client, "ticker")).length;
  await pause(2_500); // longer than one period of the schedule
  const after = await waitForInstance(client, row!.id, () => true, "the row");
  assertEquals([after.status, after.pid], ["stopped", null]);
  assertEquals((await triggers(client, "ticker")).length, seen, "no trigger while stopped");
});

Deno.test("watch restarts the app once after a burst of writes, and ignores node_modules and ignore_watch paths", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const dir = Deno.makeTempDirSync({ prefix: "adasa-watch-" });
  try {
    Deno.writeTextFileSync(
      `${dir}/watch.toml`,
      [
        "[[apps]]",
        'name = "watched"',
        'command = "sleep"',
        'args = ["60"]',
        "min_uptime_ms = 100",
        "watch = true",
        'ignore_watch = ["*.{log,tmp}", "tmp"]',
        "",
      ].join("\n"),
    );
    const started = await daemon.cli(["start", "watch.toml"], { cwd: dir });
    assertEquals(started.code, 0, started.stderr);
    const [row] = await list(client);
    const first = await waitForInstance(client, row!.id, (r) => r.status === "online", "online");

    // Like `npm install`: node_modules appears, with files under it; and ignored paths change.
    Deno.mkdirSync(`${dir}/node_modules/pkg`, { recursive: true });
    Deno.writeTextFileSync(`${dir}/node_modules/pkg/index.js`, "module.exports = 1;\n");
    Deno.writeTextFileSync(`${dir}/app.log`, "a log line\n");
    Deno.writeTextFileSync(`${dir}/upload.tmp`, "partial\n");
    Deno.mkdirSync(`${dir}/tmp`);
    Deno.writeTextFileSync(`${dir}/tmp/scratch.txt`, "scratch\n");
    await pause(1_000); // twice the debounce: a restart would have happened by now
    assertEquals(await triggers(client, "watched"), [], "ignored paths trigger nothing");
    assertEquals((await waitForInstance(client, row!.id, () => true, "row")).pid, first.pid);

    for (const name of ["a.js", "b.js", "c.js"]) Deno.writeTextFileSync(`${dir}/${name}`, name);
    await waitFor(() => triggers(client, "watched"), (t) => t.length > 0, {
      what: "a trigger event",
      timeoutMs: 5_000,
    });
    const restarted = await waitForInstance(
      client,
      row!.id,
      (r) => r.status === "online" && r.pid !== first.pid,
      "online with a new pid",
    );
    await pause(1_000); // the burst must not have queued a second restart
    const fired = await triggers(client, "watched");
    assertEquals(fired.length, 1, `one restart for the burst: ${JSON.stringify(fired)}`);
    assert(/^watch: .*\/[abc]\.js changed$/.test(fired[0]!.reason ?? ""), fired[0]!.reason ?? "");
    assertEquals((await waitForInstance(client, row!.id, () => true, "row")).pid, restarted.pid);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
