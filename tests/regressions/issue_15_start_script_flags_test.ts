// deno-lint-ignore-file no-sync-fn-in-async-fn -- tests write small temp files synchronously
/**
 * #15.1 and #15.7: `adasa start` tells a script from a config file by pm2's rule, starts a
 * script with the flags given (pm2's flags, read by the settings table), takes the program
 * after `--` alone, and refuses a missing script or a bad value creating nothing.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { list } from "../_helpers/apps.ts";
import { startDaemon, type TestDaemon } from "../_helpers/daemon.ts";
import { waitFor } from "../_helpers/wait.ts";

const SERVER = `const http = require("node:http");
http.createServer((_req, res) => res.end(process.env.NODE_APP_INSTANCE ?? "-")).listen(0);
`;

async function specOf(daemon: TestDaemon, name: string): Promise<Record<string, unknown>> {
  const result = await daemon.cli(["describe", name, "--json"]);
  assertEquals(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as Array<{ spec: Record<string, unknown> }>)[0]!.spec;
}

Deno.test("start server.js --name api -i 2 runs two instances of node server.js in cluster mode", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  Deno.writeTextFileSync(`${daemon.home}/server.js`, SERVER);
  const started = await daemon.cli(["start", "server.js", "--name", "api", "-i", "2"], {
    cwd: daemon.home,
  });
  assertEquals(started.code, 0, started.stderr);
  const rows = await waitFor(() => list(client), (r) => r.length === 2 && r.every((i) => i.pid), {
    what: "two running instances",
  });
  assertEquals(rows.map((r) => r.name), ["api", "api"]);
  const spec = await specOf(daemon, "api");
  assertEquals(
    [spec.command, spec.interpreter, spec.instances, spec.exec_mode],
    [`${daemon.home}/server.js`, "node", 2, "cluster"],
  );
});

Deno.test("start --name x -- sleep 300 starts sleep 300", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const started = await daemon.cli(["start", "--name", "x", "--", "sleep", "300"]);
  assertEquals(started.code, 0, started.stderr);
  const [row] = await waitFor(() => list(client), (r) => r.length === 1 && r[0]!.pid !== null, {
    what: "x running",
  });
  assertEquals(row!.name, "x");
  const spec = await specOf(daemon, "x");
  assertEquals([spec.command, spec.args], ["sleep", ["300"]]);
});

Deno.test("start of a missing script or with a bad flag value is refused in one line, creating nothing", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const cases: Array<[string[], RegExp]> = [
    [["start", "missing.js"], /^adasa: script not found: .*\/missing\.js$/],
    [["start", "./bin/nope", "--name", "n"], /^adasa: script not found: .*\/bin\/nope$/],
    [
      ["start", "--name", "c", "--cron", "99 * * * *", "--", "sleep", "1"],
      /cron_restart: invalid cron pattern "99 \* \* \* \*": .*minute/,
    ],
    [
      ["start", "--name", "k", "--kill-timeout", "soon", "--", "sleep", "1"],
      /^adasa: --kill-timeout: expected milliseconds or a duration like "5s", got "soon"$/,
    ],
    [
      ["start", "--name", "m", "--max-memory-restart", "lots", "--", "sleep", "1"],
      /^adasa: --max-memory-restart: expected bytes or a size like "300M", got "lots"$/,
    ],
    [
      ["start", "--name", "i", "-i", "many", "--", "sleep", "1"],
      /^adasa: --instances: expected an integer from 1 to 1024, "max", 0 or -1, got "many"$/,
    ],
    [["start", "--kil-timeout", "5", "--", "sleep", "1"], /did you mean "--kill-timeout"\?/],
    [["start", "--name", "bad\u200bname", "--", "sleep", "1"], /Invalid app name .*invisible/],
  ];
  for (const [args, pattern] of cases) {
    const result = await daemon.cli(args, { cwd: daemon.home });
    assert(result.code !== 0, `${args.join(" ")} exits non-zero`);
    const lines = result.stderr.trim().split("\n");
    assertEquals(lines.length, 1, result.stderr);
    assertMatch(lines[0]!, pattern);
  }
  assertEquals(await list(client), []);
});

Deno.test("start reads pm2's flags into the definition", async () => {
  await using daemon = await startDaemon();
  Deno.writeTextFileSync(`${daemon.home}/server.js`, SERVER);
  const started = await daemon.cli([
    "start",
    "server.js",
    "--name",
    "flags",
    "--kill-timeout",
    "5s",
    "--max-memory-restart",
    "300M",
    "--cron",
    "0 3 * * *",
    "--exp-backoff-restart-delay",
    "250",
    "--watch",
    "--ignore-watch",
    "tmp logs",
    "--time",
    "--log-date-format",
    "YYYY-MM-DD",
    "-o",
    "out.log",
    "-e",
    "/dev/null",
    "-l",
    "all.log",
    "--merge-logs",
    "--no-autorestart",
    "--node-args",
    "--max-old-space-size=64 --trace-warnings",
    "--listen-timeout",
    "2000",
    "--wait-ready",
  ], { cwd: daemon.home });
  assertEquals(started.code, 0, started.stderr);
  const spec = await specOf(daemon, "flags");
  const home = daemon.home;
  assertEquals({
    kill_timeout_ms: spec.kill_timeout_ms,
    max_memory: spec.max_memory,
    cron_restart: spec.cron_restart,
    backoff_initial_ms: spec.backoff_initial_ms,
    watch: spec.watch,
    ignore_watch: spec.ignore_watch,
    time: spec.time,
    log_date_format: spec.log_date_format,
    out_file: spec.out_file,
    error_file: spec.error_file,
    log_file: spec.log_file,
    merge_logs: spec.merge_logs,
    restart: spec.restart,
    interpreter_args: spec.interpreter_args,
    ready_timeout_ms: spec.ready_timeout_ms,
    readiness: spec.readiness,
    exec_mode: spec.exec_mode,
  }, {
    kill_timeout_ms: 5000,
    max_memory: 300 * 1024 * 1024,
    cron_restart: "0 3 * * *",
    backoff_initial_ms: 250,
    watch: [home],
    ignore_watch: ["tmp", "logs"],
    time: true,
    log_date_format: "YYYY-MM-DD",
    out_file: `${home}/out.log`,
    error_file: "/dev/null",
    log_file: `${home}/all.log`,
    merge_logs: true,
    restart: "never",
    interpreter_args: ["--max-old-space-size=64", "--trace-warnings"],
    ready_timeout_ms: 2000,
    readiness: { kind: "message" },
    exec_mode: "fork",
  });
});

Deno.test("a config file is told from a script by pm2's rule: server.js is a script", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  // A .js file that is not *.config.js is a script even when it looks like an ecosystem file.
  Deno.writeTextFileSync(`${daemon.home}/ecosystem.js`, "setInterval(() => {}, 1000);\n");
  const started = await daemon.cli(["start", "ecosystem.js"], { cwd: daemon.home });
  assertEquals(started.code, 0, started.stderr);
  const rows = await waitFor(() => list(client), (r) => r.length === 1 && r[0]!.pid !== null, {
    what: "the script running",
  });
  assertEquals(rows[0]!.name, "ecosystem");
  // A name with .json in it is a config file, as in pm2: a missing one is the loader's error.
  const missing = await daemon.cli(["start", "nothing.json"], { cwd: daemon.home });
  assertEquals(missing.code, 2, missing.stderr);
  assertMatch(missing.stderr, /nothing\.json: cannot read/);
});
