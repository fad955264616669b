/**
 * `adasa start <file> --no-wait` (#17): the reply comes once every app's processes are
 * spawned, before any is ready; without the flag it comes once every app is ready.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { list } from "../_helpers/apps.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { isLive, readProc } from "../_helpers/proc.ts";
import type { StartFileReply } from "../../src/protocol/ops.ts";

const NAMES = ["web", "worker", "mailer", "cron", "search"];

/** A temp folder with apps.json: `sleep` apps up for `minUptimeMs` before they count as ready. */
function appsFile(minUptimeMs: number): Disposable & { dir: string; file: string } {
  const dir = Deno.makeTempDirSync({ prefix: "adasa-nowait-" });
  const apps = NAMES.map((name) => ({
    name,
    script: "sleep",
    args: ["300"],
    cwd: "/tmp",
    min_uptime: minUptimeMs,
  }));
  Deno.writeTextFileSync(`${dir}/apps.json`, JSON.stringify({ apps }));
  return {
    dir,
    file: `${dir}/apps.json`,
    [Symbol.dispose]: () => Deno.removeSync(dir, { recursive: true }),
  };
}

Deno.test("start <file> --no-wait answers with every app spawned and none ready yet", async () => {
  await using daemon = await startDaemon();
  // Ready only after 10 minutes: a reply that waited for readiness would not come in this test.
  using apps = appsFile(600_000);
  const result = await daemon.cli(["start", apps.file, "--no-wait", "--json"], { cwd: apps.dir });
  assertEquals(result.code, 0, result.stderr);
  const reply = JSON.parse(result.stdout) as StartFileReply;
  assertEquals(reply.created.sort(), [...NAMES].sort());
  assertEquals(reply.apps.map((a) => a.status), NAMES.map(() => "started"));
  assertEquals(reply.instances.length, NAMES.length);
  for (const row of reply.instances) {
    assertEquals(row.status, "launching", `${row.name}: ${JSON.stringify(row)}`);
    assert(row.pid !== null && isLive(readProc(row.pid)), `${row.name}: pid ${row.pid} runs`);
  }
  await using client = await daemon.connect();
  const now = await list(client);
  assertEquals(now.map((r) => r.status), NAMES.map(() => "launching"));
});

Deno.test("start <file> --no-wait prints the spawned apps' rows as they are then", async () => {
  await using daemon = await startDaemon();
  using apps = appsFile(600_000);
  const result = await daemon.cli(["start", apps.file, "--no-wait"], { cwd: apps.dir });
  assertEquals(result.code, 0, result.stderr);
  for (const name of NAMES) assertMatch(result.stdout, new RegExp(`${name}\\s.*launching`));
  assert(!/ready\s/.test(result.stdout), `no readiness progress lines: ${result.stdout}`);
});

Deno.test("start <file> without --no-wait answers once every app is ready", async () => {
  await using daemon = await startDaemon();
  using apps = appsFile(300);
  const result = await daemon.cli(["start", apps.file, "--json"], { cwd: apps.dir });
  assertEquals(result.code, 0, result.stderr);
  const reply = JSON.parse(result.stdout) as StartFileReply;
  assertEquals(reply.apps.map((a) => a.status), NAMES.map(() => "ready"));
  assertEquals(reply.instances.map((r) => r.status), NAMES.map(() => "online"));
});

Deno.test("start --no-wait without a config file is a usage error, exit 2", async () => {
  await using daemon = await startDaemon();
  for (
    const args of [
      ["start", "--no-wait", "--name", "one", "sleep", "--", "300"],
      ["start", "--no-wait", "--name", "two", "--", "sleep", "300"],
    ]
  ) {
    const result = await daemon.cli(args);
    assertEquals(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    const lines = result.stderr.trim().split("\n");
    assertEquals(lines.length, 1, result.stderr);
    assertMatch(lines[0]!, /--no-wait applies to a config file/);
  }
  await using client = await daemon.connect();
  assertEquals(await list(client), []);
});
