// deno-lint-ignore-file no-sync-fn-in-async-fn -- tests read /proc and temp files synchronously for simplicity
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { makeHome, runCli, spawnDaemonProcess, startDaemon } from "../_helpers/daemon.ts";
import { waitFor } from "../_helpers/wait.ts";
import { hasVariable, isLive, processes, procText } from "../_helpers/proc.ts";
import { DAEMON_V8_FLAGS } from "../../cli/daemon_process.ts";

Deno.test("daemon answers hello with its version, protocol, pid and home", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const hello = await client.request("hello");
  assertEquals(hello.protocol, 1);
  assertEquals(hello.pid, daemon.pid);
  assertEquals(hello.home, daemon.home);
});

Deno.test("a second daemon on the same home exits non-zero within a second, naming the first", async () => {
  await using daemon = await startDaemon();
  const started = Date.now();
  const second = spawnDaemonProcess(daemon.home);
  const [status, stderr] = await Promise.all([second.status, new Response(second.stderr).text()]);
  assertEquals(status.code, 4);
  assert(Date.now() - started < 5_000, "second daemon took too long to give up");
  assertMatch(stderr, new RegExp(`Another daemon \\(pid ${daemon.pid}\\) is already running`));
});

Deno.test("a stale socket and pid file left by a killed daemon are replaced", async () => {
  const home = makeHome();
  const first = await startDaemon({ home });
  await first.kill();
  const stat = Deno.statSync(`${home}/adasa.sock`);
  assert(stat.isSocket, "the killed daemon should have left its socket behind");
  await using second = await startDaemon({ home });
  await using client = await second.connect();
  assertEquals(await client.request("ping"), "pong");
  assertEquals(Deno.readTextFileSync(`${home}/daemon.pid`).trim(), String(second.pid));
});

Deno.test("20 CLIs auto-starting at once end with one daemon and 20 successes", async () => {
  const home = makeHome();
  try {
    const results = await Promise.all(Array.from({ length: 20 }, () => runCli(home, ["ping"])));
    for (const r of results) assertEquals(r.code, 0, r.stderr);
    // The losers of the race exit on their own once they fail to take the lock; wait for that.
    const pids = await waitFor(() => daemonPids(home), (found) => found.size === 1, {
      what: "exactly one daemon",
      timeoutMs: 15_000,
    });
    assertEquals(pids.size, 1, `daemons: ${[...pids].join(", ")}`);
    const stop = await runCli(home, ["daemon", "stop"]);
    assertEquals(stop.code, 0, stop.stderr);
  } finally {
    // On a failure, stop every daemon of this home by pid before its folder goes.
    for (const pid of daemonPids(home)) Deno.kill(Number(pid), "SIGKILL");
    await waitFor(() => daemonPids(home), (found) => found.size === 0, { what: "no daemon" });
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("adasa daemon start, status, stop", async () => {
  const home = makeHome();
  try {
    const start = await runCli(home, ["daemon", "start"]);
    assertEquals(start.code, 0, start.stderr);
    assertMatch(start.stdout, /Daemon started \(pid \d+/);
    const pid = Number(/pid (\d+)/.exec(start.stdout)![1]);
    const argv = (procText(pid, "cmdline") ?? "").split("\0");
    assert(argv.includes(DAEMON_V8_FLAGS), `daemon runs with ${DAEMON_V8_FLAGS}: ${argv}`);
    const status = await runCli(home, ["daemon", "status", "--json"]);
    assertEquals(status.code, 0);
    const info = JSON.parse(status.stdout);
    assertEquals(info.running, true);
    assertEquals(info.home, home);
    const stop = await runCli(home, ["daemon", "stop"]);
    assertEquals(stop.code, 0);
    const after = await runCli(home, ["daemon", "status"]);
    assertEquals(after.code, 5);
    assertMatch(after.stdout, /not running/);
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});

/** Pids of daemon processes (main.ts or the bundle) running on `home`. */
function daemonPids(home: string): Set<string> {
  const pids = new Set<string>();
  for (const p of processes()) {
    if (!isLive(p)) continue;
    const cmdline = procText(p.pid, "cmdline") ?? "";
    if (!cmdline.includes("main.ts") && !cmdline.includes("adasad.js")) continue;
    const environ = procText(p.pid, "environ");
    if (environ !== null && hasVariable(environ, "ADASA_HOME", home)) pids.add(String(p.pid));
  }
  return pids;
}
