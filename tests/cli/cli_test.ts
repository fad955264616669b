/**
 * The real `adasa` CLI run as a subprocess: help, version, exit codes, one-line errors, JSON
 * and colour. Commands that need no daemon run on a fresh home, and must not start one.
 */
import { COMMANDS, findCommand, flagsOf } from "../../cli/commands/mod.ts";
import { VERSION } from "../../src/protocol/version.ts";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { type CliResult, makeHome, runCli, startDaemon } from "../_helpers/daemon.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const HELP_SNAPSHOT = new URL("./__snapshots__/help.txt", import.meta.url);

/** A fresh home, removed on dispose, in which no daemon may have been started. */
function freshHome(): Disposable & { path: string } {
  const path = makeHome();
  return {
    path,
    [Symbol.dispose]() {
      try {
        const leftovers = [...Deno.readDirSync(path)].map((e) => e.name);
        assert(!leftovers.includes("adasa.sock"), `a daemon was started: ${leftovers.join(", ")}`);
        assert(!leftovers.includes("daemon.pid"), `a daemon was started: ${leftovers.join(", ")}`);
      } finally {
        Deno.removeSync(path, { recursive: true });
      }
    },
  };
}

/** An error is exactly one line on stderr, naming `culprit`, and nothing on stdout. */
function assertOneLineError(result: CliResult, code: number, culprit: string): void {
  assertEquals(result.code, code, `exit code; stderr: ${result.stderr}`);
  const lines = result.stderr.trimEnd().split("\n");
  assertEquals(lines.length, 1, `want one line on stderr, got:\n${result.stderr}`);
  assert(lines[0]!.includes(culprit), `want "${culprit}" in: ${lines[0]}`);
  assertMatch(lines[0]!, /^adasa: /);
  assertEquals(result.stdout, "");
}

function assertNoEscapes(result: CliResult, label: string): void {
  assert(!result.stdout.includes("\x1b"), `${label}: escape code on stdout: ${result.stdout}`);
  assert(!result.stderr.includes("\x1b"), `${label}: escape code on stderr: ${result.stderr}`);
}

Deno.test("adasa --version prints the version and exits 0", async () => {
  using home = freshHome();
  const denoJson = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assertEquals(VERSION, denoJson.version, "src/protocol/version.ts and deno.json disagree");
  for (const flag of ["--version", "-V"]) {
    const result = await runCli(home.path, [flag]);
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stdout, "adasa 0.1.0\n");
    assertEquals(result.stderr, "");
  }
});

Deno.test("adasa --help lists every command of the command table", async () => {
  using home = freshHome();
  const result = await runCli(home.path, ["--help"]);
  assertEquals(result.code, 0, result.stderr);
  assertEquals(result.stderr, "");
  for (const command of COMMANDS) {
    assertMatch(result.stdout, new RegExp(`^  ${command.name} +${escape(command.summary)}$`, "m"));
  }
});

Deno.test("adasa --help matches its snapshot (UPDATE_SNAPSHOTS=1 rewrites it)", async () => {
  using home = freshHome();
  const result = await runCli(home.path, ["--help"]);
  assertEquals(result.code, 0, result.stderr);
  if (Deno.env.get("UPDATE_SNAPSHOTS") === "1") {
    await Deno.mkdir(new URL(".", HELP_SNAPSHOT), { recursive: true });
    await Deno.writeTextFile(HELP_SNAPSHOT, result.stdout);
  }
  assertEquals(result.stdout, await Deno.readTextFile(HELP_SNAPSHOT));
});

Deno.test("adasa with no command prints help and exits 2", async () => {
  using home = freshHome();
  const result = await runCli(home.path, []);
  assertEquals(result.code, 2);
  assertMatch(result.stdout, /^Usage: adasa <command>/m);
});

Deno.test("adasa help start and adasa start --help show every flag of start", async () => {
  using home = freshHome();
  const spec = findCommand("start")!;
  const viaHelp = await runCli(home.path, ["help", "start"]);
  const viaFlag = await runCli(home.path, ["start", "--help"]);
  for (const result of [viaHelp, viaFlag]) {
    assertEquals(result.code, 0, result.stderr);
    assertMatch(result.stdout, /^Usage: adasa start /m);
    for (const [flag, f] of Object.entries(await flagsOf(spec))) {
      assert(result.stdout.includes(`--${flag}`), `--${flag} missing from help`);
      assert(result.stdout.includes(f.help), `help text of --${flag} missing`);
      if (f.short) assert(result.stdout.includes(`-${f.short}, --${flag}`), `-${f.short}`);
    }
  }
  assertEquals(viaHelp.stdout, viaFlag.stdout);
});

Deno.test("adasa with an unknown command exits 2 with one line naming it", async () => {
  using home = freshHome();
  assertOneLineError(await runCli(home.path, ["frobnicate"]), 2, '"frobnicate"');
  assertOneLineError(await runCli(home.path, ["help", "frobnicate"]), 2, '"frobnicate"');
});

Deno.test("adasa list --bogus exits 2 with one line naming --bogus", async () => {
  using home = freshHome();
  assertOneLineError(await runCli(home.path, ["list", "--bogus"]), 2, "--bogus");
  assertOneLineError(await runCli(home.path, ["start", "--bogus", "sleep"]), 2, "--bogus");
});

Deno.test("adasa stop without a target exits 2 with one line", async () => {
  using home = freshHome();
  assertOneLineError(await runCli(home.path, ["stop"]), 2, "adasa stop");
  assertOneLineError(await runCli(home.path, ["restart"]), 2, "adasa restart");
});

Deno.test("adasa daemon status exits 5 when no daemon answers, and starts none", async () => {
  using home = freshHome();
  const text = await runCli(home.path, ["daemon", "status"]);
  assertEquals(text.code, 5, text.stderr);
  assertMatch(text.stdout, /not running/);
  const json = await runCli(home.path, ["daemon", "status", "--json"]);
  assertEquals(json.code, 5, json.stderr);
  assertEquals(JSON.parse(json.stdout), { running: false, home: home.path });
});

Deno.test("adasa describe of an unknown app exits 3 with one line naming it", async () => {
  await using daemon = await startDaemon();
  assertOneLineError(await daemon.cli(["describe", "nosuchapp"]), 3, "nosuchapp");
  assertOneLineError(await daemon.cli(["stop", "nosuchapp"]), 3, "nosuchapp");
});

Deno.test("adasa start of a name that exists exits 4 with one line naming it", async () => {
  await using daemon = await startDaemon();
  const first = await daemon.cli(["start", "--name", "a", "sleep", "--", "60"]);
  assertEquals(first.code, 0, first.stderr);
  assertOneLineError(await daemon.cli(["start", "--name", "a", "sleep", "--", "60"]), 4, '"a"');
  const list = JSON.parse((await daemon.cli(["list", "--json"])).stdout) as Array<{ name: string }>;
  assertEquals(list.map((r) => r.name), ["a"]);
});

Deno.test("adasa --json ping and list print valid JSON", async () => {
  await using daemon = await startDaemon();
  const ping = await daemon.cli(["ping", "--json"]);
  assertEquals(ping.code, 0, ping.stderr);
  assertEquals(JSON.parse(ping.stdout), { reply: "pong" });
  const before = await daemon.cli(["--json", "list"]);
  assertEquals(before.code, 0, before.stderr);
  assertEquals(JSON.parse(before.stdout), []);
  const start = await daemon.cli(["start", "--name", "sleeper", "sleep", "--", "60"]);
  assertEquals(start.code, 0, start.stderr);
  const after = await daemon.cli(["list", "--json"]);
  assertEquals(after.code, 0, after.stderr);
  const rows = JSON.parse(after.stdout) as Array<Record<string, unknown>>;
  assertEquals(rows.length, 1);
  assertEquals(rows[0]!.name, "sleeper");
  assert(typeof rows[0]!.id === "number", "id is a number");
  assert(typeof rows[0]!.status === "string", "status is a string");
});

Deno.test("adasa output has no escape codes with NO_COLOR or without a TTY, and has them on a TTY", async () => {
  await using daemon = await startDaemon();
  const start = await daemon.cli(["start", "--name", "painted", "sleep", "--", "60"]);
  assertEquals(start.code, 0, start.stderr);
  // Not a TTY (runCli pipes stdout): no colour even with NO_COLOR empty, which means unset.
  assertNoEscapes(await daemon.cli(["list"], { env: { NO_COLOR: "" } }), "pipe");
  assertNoEscapes(await daemon.cli(["list"], { env: { NO_COLOR: "1" } }), "pipe + NO_COLOR");
  assertNoEscapes(await daemon.cli(["frobnicate"], { env: { NO_COLOR: "" } }), "pipe, error");
  // On a pseudo-terminal colour is on, unless NO_COLOR or --no-color turns it off. Without
  // this control the checks above could pass by never colouring at all.
  const onTty = await listOnTty(daemon.home, { NO_COLOR: "" }, []);
  assert(onTty.includes("\x1b["), `want colour on a TTY, got: ${JSON.stringify(onTty)}`);
  const noColorEnv = await listOnTty(daemon.home, { NO_COLOR: "1" }, []);
  assert(!noColorEnv.includes("\x1b"), `NO_COLOR on a TTY: ${JSON.stringify(noColorEnv)}`);
  const noColorFlag = await listOnTty(daemon.home, { NO_COLOR: "" }, ["--no-color"]);
  assert(!noColorFlag.includes("\x1b"), `--no-color on a TTY: ${JSON.stringify(noColorFlag)}`);
});

Deno.test("adasa start with an invalid --name exits 2 with one line and creates nothing", async () => {
  await using daemon = await startDaemon();
  const names = ["../x", "-x", "x".repeat(65), "a/b", "all", "123", "a b"];
  for (const name of names) {
    const result = await daemon.cli(["start", `--name=${name}`, "sleep", "--", "60"]);
    assertOneLineError(result, 2, JSON.stringify(name));
  }
  const list = await daemon.cli(["list", "--json"]);
  assertEquals(list.code, 0, list.stderr);
  assertEquals(JSON.parse(list.stdout), []);
});

/** Runs `adasa list` under `script`, which gives it a pseudo-terminal; returns what it printed. */
async function listOnTty(
  home: string,
  env: Record<string, string>,
  flags: string[],
): Promise<string> {
  const words = [Deno.execPath(), "run", "--allow-all", "--config", `${ROOT}deno.json`];
  const line = [...words, `${ROOT}cli/main.ts`, "list", ...flags].map(shellQuote).join(" ");
  const out = await new Deno.Command("script", {
    args: ["-qec", line, "/dev/null"],
    env: { ADASA_HOME: home, TERM: "xterm", ...env },
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assertEquals(out.code, 0, `script: ${text}${new TextDecoder().decode(out.stderr)}`);
  return text;
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
