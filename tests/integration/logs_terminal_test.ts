/**
 * #18.6: `adasa logs` on a terminal says when there is nothing to show and where the files are
 * (a pipe still gets nothing), and `--grep` has `-i/--ignore-case`. The terminal is a real pty
 * from util-linux `script`.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startApp } from "../_helpers/apps.ts";
import { startDaemon, type TestDaemon } from "../_helpers/daemon.ts";
import { waitFor } from "../_helpers/wait.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Runs `adasa ARGS` with its stdout on a pty; returns what the terminal showed. */
async function onTerminal(
  daemon: TestDaemon,
  args: string[],
  options: { stopAfter?: number } = {},
): Promise<string> {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const stop = options.stopAfter === undefined
    ? []
    : ["timeout", "-s", "INT", `${options.stopAfter}`];
  const command = [
    ...stop,
    Deno.execPath(),
    "run",
    "--allow-all",
    "--config",
    `${ROOT}deno.json`,
    `${ROOT}cli/main.ts`,
    ...args,
  ].map(quote).join(" ");
  const out = await new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    env: { ADASA_HOME: daemon.home, NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout).replaceAll("\r\n", "\n");
  if (options.stopAfter === undefined) assertEquals(out.code, 0, text);
  return text;
}

Deno.test("logs of an app with no output says so on a terminal, with the folder of its files; a pipe gets nothing", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  await startApp(client, { name: "sleeper", command: "sleep", args: ["3600"] });
  const shown = await onTerminal(daemon, ["logs", "sleeper"]);
  assertEquals(
    shown.trim(),
    `No output yet from sleeper (log files: ${daemon.home}/logs/sleeper/)`,
  );
  const piped = await daemon.cli(["logs", "sleeper"]);
  assertEquals([piped.code, piped.stdout, piped.stderr], [0, "", ""]);
  const json = await daemon.cli(["logs", "sleeper", "--json"]);
  assertEquals(json.stdout, "");
  const following = await onTerminal(daemon, ["logs", "sleeper", "-f"], { stopAfter: 10 });
  assertMatch(following, /^No output yet from sleeper \(log files: .*\); waiting for new lines\n/);
  const filtered = await onTerminal(daemon, ["logs", "sleeper", "--grep", "x"]);
  assertMatch(filtered, /^No lines match from sleeper \(log files: .*\/logs\/sleeper\/\)/);
  const dir = await Deno.makeTempDir({ prefix: "adasa-quiet-" });
  try {
    await startApp(client, {
      name: "quiet",
      command: "sleep",
      args: ["3600"],
      instances: 2,
      out_file: `${dir}/quiet-out.log`,
    });
    const pm2 = await onTerminal(daemon, ["logs", "quiet"]);
    assertMatch(pm2, /^No output yet from quiet \(log files: .*\/logs\/quiet\/; pm2-style: /);
    assertMatch(pm2, /quiet-out-\d+\.log, .*quiet-out-\d+\.log\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("logs --grep -i matches letters in either case, as a substring and as a regex", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  await startApp(client, {
    name: "shouter",
    command: "sh",
    args: ["-c", "echo got SIGTERM; echo sigterm again; echo other; exec sleep 3600"],
  });
  await waitFor(() => daemon.cli(["logs", "shouter", "--raw"]), (r) => r.stdout.includes("other"), {
    what: "output captured",
  });
  const exact = await daemon.cli(["logs", "shouter", "--raw", "--grep", "sigterm"]);
  assertEquals(exact.stdout, "sigterm again\n");
  for (const flag of ["-i", "--ignore-case"]) {
    const any = await daemon.cli(["logs", "shouter", "--raw", "--grep", "sigterm", flag]);
    assertEquals(any.stdout, "got SIGTERM\nsigterm again\n");
  }
  const regex = await daemon.cli(["logs", "shouter", "--raw", "--grep", "^GOT", "--regex", "-i"]);
  assertEquals(regex.stdout, "got SIGTERM\n");
  assert(regex.stderr === "", regex.stderr);
});
