// deno-lint-ignore-file no-sync-fn-in-async-fn -- tests write gate files synchronously
/**
 * The long-running observe commands as a user runs them: `adasa logs -f` read from its stdout
 * and killed, and `adasa monit` on a pipe (one plain table) and on a pseudo-terminal (the
 * full screen, until `q`; tests/cli/monit_tui_test.ts drives it in tmux).
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { startApp, waitForInstance } from "../_helpers/apps.ts";
import { waitFor } from "../_helpers/wait.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const FIXTURES = new URL("../fixtures/observe/", import.meta.url).pathname;
const CLI = [Deno.execPath(), "run", "--allow-all", "--config", `${ROOT}deno.json`];

/** Collects a child's stdout as text as it comes, so a test can wait for what it printed. */
class Output {
  text = "";
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) this.text += chunk;
    })();
  }

  waitFor(accept: (text: string) => boolean, what: string): Promise<string> {
    return waitFor(() => this.text, accept, { what, timeoutMs: 15_000 });
  }
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

Deno.test("adasa logs -f prints lines written after it started, and stops when killed", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const gate = `${daemon.home}/gate`;
  await startApp(client, { name: "tailed", command: `${FIXTURES}bursts.sh`, args: [gate, "3"] });
  await waitFor(
    async () => (await daemon.cli(["logs", "tailed", "--no-prefix"])).stdout,
    (text) => text.includes("first 3"),
    { what: "first 3 in the logs" },
  );
  const child = new Deno.Command(CLI[0]!, {
    args: [...CLI.slice(1), `${ROOT}cli/main.ts`, "logs", "tailed", "-f", "-n", "1", "--no-prefix"],
    env: { ADASA_HOME: daemon.home, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const out = new Output(child.stdout);
  try {
    await out.waitFor((t) => t.includes("first 3\n"), "the last line before the gate");
    assert(!out.text.includes("first 2"), `only the last line: ${out.text}`);
    Deno.writeTextFileSync(gate, "");
    await out.waitFor((t) => t.includes("second 3\n"), "the lines written after -f started");
    assertEquals(out.text, "first 3\nsecond 1\nsecond 2\nsecond 3\n");
  } finally {
    child.kill("SIGTERM");
  }
  const status = await child.status;
  await out.done;
  assert(!status.success, `a killed follow does not end by itself: ${JSON.stringify(status)}`);
  assertEquals(await client.request("ping"), "pong");
});

Deno.test("adasa monit with stdout not a terminal prints one plain table with the app rows and exits 0", async () => {
  await using daemon = await startDaemon({ env: { ADASA_SAMPLE_INTERVAL_MS: "200" } });
  await using client = await daemon.connect();
  const [web] = await startApp(client, { name: "web", command: "sleep", args: ["3600"] });
  const [worker] = await startApp(client, { name: "worker", command: "sleep", args: ["3600"] });
  await waitForInstance(client, worker!.id, (r) => r.memory !== null, "a sample of worker");
  const result = await daemon.cli(["monit"], { env: { NO_COLOR: "" } });
  assertEquals(result.code, 0, result.stderr);
  assert(!result.stdout.includes("\x1b"), `escape codes: ${JSON.stringify(result.stdout)}`);
  const lines = result.stdout.trimEnd().split("\n");
  assertEquals(lines.length, 3, result.stdout);
  assertMatch(lines[0]!, /^id +name +status .*cpu +memory/);
  assertMatch(lines[1]!, new RegExp(`^ *${web!.id} +web +(online|launching) `));
  assertMatch(lines[2]!, new RegExp(`^ *${worker!.id} +worker +(online|launching) `));
});

Deno.test("adasa monit on a pseudo-terminal takes the alternate screen, redraws, and gives it back on q", async () => {
  await using daemon = await startDaemon({ env: { ADASA_SAMPLE_INTERVAL_MS: "200" } });
  await using client = await daemon.connect();
  await startApp(client, { name: "watched", command: "sleep", args: ["3600"] });
  const monit = [...CLI, `${ROOT}cli/main.ts`, "monit", "--interval", "200"].map(shellQuote)
    .join(" ");
  // script's pty has no size until one is set.
  const line = `stty cols 90 rows 20; exec ${monit}`;
  const child = new Deno.Command("script", {
    args: ["-qec", line, "/dev/null"],
    env: { ADASA_HOME: daemon.home, TERM: "xterm", NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const out = new Output(child.stdout);
  const stdin = child.stdin.getWriter();
  let exited: Deno.CommandStatus | null = null;
  child.status.then((status) => (exited = status));
  try {
    await out.waitFor(
      (t) => (t.match(/Adasa monit: 1 instance/g) ?? []).length >= 2,
      "two screens",
    );
    assert(out.text.includes("\x1b[?1049h\x1b[?25l"), "alternate screen, cursor hidden");
    assertMatch(out.text, /> \d+ +watched/);
    assertMatch(out.text, /q quit/);
    await stdin.write(new TextEncoder().encode("q"));
    const status = await waitFor(() => exited, (s) => s !== null, { what: "monit to exit on q" });
    assertEquals(status!.code, 0, out.text);
    await out.done;
    const leave = out.text.lastIndexOf("\x1b[?25h\x1b[?1049l");
    assert(
      leave > out.text.lastIndexOf("Adasa monit:"),
      "cursor shown, main screen back at the end",
    );
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await child.status;
    await stdin.close().catch(() => {});
    await out.done;
  }
});
