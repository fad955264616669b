// deno-lint-ignore-file no-sync-fn-in-async-fn -- tests write gate files synchronously
/**
 * `adasa logs` end to end: real daemons capture real programs' output, and the real CLI (or
 * the client's stream) reads it back: tails, filters, time windows, several instances, odd
 * bytes, long lines, follow, large output, flush, and the stderr kept with a crash.
 */
import { DatabaseSync } from "node:sqlite";
import type { AdasaClient } from "../../src/ipc/client.ts";
import type { LogLine } from "../../src/logs/mod.ts";
import type { LogsArgs } from "../../src/protocol/ops.ts";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startDaemon, type TestDaemon } from "../_helpers/daemon.ts";
import { events, startApp, waitForInstance } from "../_helpers/apps.ts";
import { waitFor } from "../_helpers/wait.ts";

const FIXTURES = new URL("../fixtures/observe/", import.meta.url).pathname;
const PREFIX = /^(\S+)#(\d+) \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} ([|E]) (.*)$/;

/**
 * Every line the daemon returns for `args` (through the client's stream, without follow): a
 * whole time window when `since` is given, else the last million lines.
 */
async function readLines(client: AdasaClient, args: LogsArgs): Promise<LogLine[]> {
  const out: LogLine[] = [];
  const request = "since" in args ? args : { lines: 1_000_000, ...args };
  for await (const frame of client.stream("logs", request)) {
    out.push(...frame.data);
  }
  return out;
}

/** Waits until the app's captured output has a line with exactly `text`. */
function waitForLine(client: AdasaClient, app: string, text: string): Promise<LogLine[]> {
  return waitFor(
    () => readLines(client, { targets: [app] }),
    (lines) => lines.some((l) => l.text === text),
    { what: `a line "${text}" in the logs of ${app}`, timeoutMs: 15_000, intervalMs: 50 },
  );
}

/** Runs `adasa logs ARGS`, expects exit 0, returns stdout's lines. */
async function cliLogs(daemon: TestDaemon, args: string[]): Promise<string[]> {
  const result = await daemon.cli(["logs", ...args]);
  assertEquals(result.code, 0, result.stderr);
  assertEquals(result.stderr, "");
  return result.stdout === "" ? [] : result.stdout.replace(/\n$/, "").split("\n");
}

function shLoop(body: string, count: number): string {
  return `i=1; while [ "$i" -le ${count} ]; do ${body}; i=$((i + 1)); done`;
}

Deno.test("logs --lines N prints the last N lines in time order with app#id prefixes, and --out, --err, --no-prefix, --grep and --json filter and shape them", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const script = `${shLoop('echo "out $i"; echo "err $i" >&2', 30)}; exec sleep 3600`;
  const [row] = await startApp(client, { name: "numbers", command: "sh", args: ["-c", script] });
  const id = row!.id;
  await waitFor(
    () => readLines(client, { targets: ["numbers"] }),
    (lines) => lines.length === 60,
    { what: "60 lines", timeoutMs: 15_000 },
  );

  const all = await cliLogs(daemon, ["numbers", "--lines", "100"]);
  assertEquals(all.length, 60);
  const last = await cliLogs(daemon, ["numbers", "--lines", "10"]);
  assertEquals(last, all.slice(-10));
  for (const line of last) {
    const m = PREFIX.exec(line);
    assert(m, `no app#id prefix: ${line}`);
    assertEquals([m[1], Number(m[2])], ["numbers", id]);
    assertEquals(m[3] === "E", m[4]!.startsWith("err "), `stream marker of: ${line}`);
  }
  for (const stream of ["out", "err"]) {
    const numbers = all.map((l) => PREFIX.exec(l)![4]!).filter((t) => t.startsWith(stream))
      .map((t) => Number(t.split(" ")[1]));
    assertEquals(numbers, Array.from({ length: 30 }, (_, i) => i + 1), `${stream} in order`);
  }

  const out = await cliLogs(daemon, ["numbers", "--out", "--lines", "5", "--no-prefix"]);
  assertEquals(out, ["out 26", "out 27", "out 28", "out 29", "out 30"]);
  const err = await cliLogs(daemon, ["numbers", "--err", "-n", "3", "--no-prefix"]);
  assertEquals(err, ["err 28", "err 29", "err 30"]);
  const grep = await cliLogs(daemon, ["numbers", "--grep", "out 2", "--no-prefix", "-n", "100"]);
  assertEquals(grep, ["out 2", ...Array.from({ length: 10 }, (_, i) => `out ${20 + i}`)]);
  const regex = await cliLogs(daemon, [
    "numbers",
    "--grep",
    "^err [12]$",
    "--regex",
    "--no-prefix",
  ]);
  assertEquals(regex, ["err 1", "err 2"]);

  const json = (await cliLogs(daemon, ["numbers", "--json", "--lines", "4"])).map((l) =>
    JSON.parse(l)
  );
  assertEquals(json.length, 4);
  for (const object of json) {
    assertEquals(object.app, "numbers");
    assertEquals(object.instance, id);
    assert(object.stream === "out" || object.stream === "err", `stream ${object.stream}`);
    assertMatch(object.text, /^(out|err) \d+$/);
    assertEquals(new Date(object.time).toISOString(), object.time, "time is ISO 8601");
    assertEquals(object.partial, false);
  }
  assertEquals(json.map((o) => o.text), all.slice(-4).map((l) => PREFIX.exec(l)![4]));

  const both = await daemon.cli(["logs", "numbers", "--out", "--err"]);
  assertEquals(both.code, 2);
  assertMatch(both.stderr, /--out and --err/);
});

Deno.test("logs --since and --until select the burst before or after a marker time", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const gate = `${daemon.home}/gate`;
  await startApp(client, { name: "bursts", command: `${FIXTURES}bursts.sh`, args: [gate, "5"] });
  await waitForLine(client, "bursts", "first 5");
  const marker = Date.now();
  await waitFor(() => Date.now(), (now) => now > marker + 2, { what: "the clock to pass" });
  Deno.writeTextFileSync(gate, "");
  await waitForLine(client, "bursts", "second 5");
  const iso = (ms: number) => new Date(ms).toISOString();
  const first = Array.from({ length: 5 }, (_, i) => `first ${i + 1}`);
  const second = Array.from({ length: 5 }, (_, i) => `second ${i + 1}`);

  assertEquals(await cliLogs(daemon, ["bursts", "--no-prefix", "--until", iso(marker)]), first);
  assertEquals(
    await cliLogs(daemon, ["bursts", "--no-prefix", "--since", iso(marker + 1)]),
    second,
  );
  assertEquals(
    await cliLogs(daemon, ["bursts", "--no-prefix", "--since", "1h", "--until", "now"]),
    [...first, ...second],
  );
  // --lines keeps the last N lines of the window.
  const lastOfFirst = await cliLogs(daemon, [
    "bursts",
    "--no-prefix",
    "--until",
    iso(marker),
    "-n",
    "2",
  ]);
  assertEquals(lastOfFirst, ["first 4", "first 5"]);
  const lastOfAll = await cliLogs(daemon, ["bursts", "--no-prefix", "--since", "1h", "-n", "3"]);
  assertEquals(lastOfAll, ["second 3", "second 4", "second 5"]);
  const future = await cliLogs(daemon, ["bursts", "--since", iso(Date.now() + 60_000)]);
  assertEquals(future, []);
  const bad = await daemon.cli(["logs", "bursts", "--since", "5x"]);
  assertEquals(bad.code, 2);
  assertMatch(bad.stderr, /^adasa: --since: Invalid time "5x"/);
});

Deno.test("logs of an app with several instances merges their lines in time order", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  // The short sleeps make the instances' lines interleave in time.
  const script = `${shLoop('echo "$ADASA_INSTANCE:$i"; sleep 0.01', 20)}; exec sleep 3600`;
  const rows = await startApp(client, {
    name: "multi",
    command: "sh",
    args: ["-c", script],
    instances: 3,
  });
  assertEquals(rows.length, 3);
  await waitFor(
    () => readLines(client, { targets: ["multi"] }),
    (lines) => lines.length === 60,
    { what: "60 lines", timeoutMs: 15_000 },
  );
  const json = (await cliLogs(daemon, ["multi", "--json", "-n", "100"])).map((l) => JSON.parse(l));
  assertEquals(json.length, 60);
  for (let i = 1; i < json.length; i++) {
    assert(json[i].at >= json[i - 1].at, `line ${i} is older than line ${i - 1}`);
  }
  const ids = rows.map((r) => r.id);
  for (const [index, id] of ids.entries()) {
    const mine = json.filter((o) => o.instance === id).map((o) => o.text);
    assertEquals(mine, Array.from({ length: 20 }, (_, i) => `${index}:${i + 1}`));
  }
  const instances = new Set(json.slice(0, 30).map((o) => o.instance));
  assert(instances.size > 1, "the first half of the merged lines comes from several instances");
  const one = await cliLogs(daemon, [String(ids[1]), "--no-prefix", "-n", "100"]);
  assertEquals(one, Array.from({ length: 20 }, (_, i) => `1:${i + 1}`));
});

Deno.test("logs joins a line written in several chunks, and keeps the unterminated last line of an exited process", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const gate = `${daemon.home}/gate`;
  const [row] = await startApp(client, {
    name: "chunky",
    command: `${FIXTURES}chunked.sh`,
    args: [gate],
    restart: "never",
  });
  await waitForInstance(client, row!.id, (r) => r.pid !== null, "running");
  // "left-" is on the pipe, without a newline: no line yet.
  assertEquals(await readLines(client, { targets: ["chunky"] }), []);
  Deno.writeTextFileSync(gate, "");
  await waitForInstance(client, row!.id, (r) => r.status === "exited", "exited");
  const lines = await waitForLine(client, "chunky", "unterminated-end");
  assertEquals(lines.map((l) => [l.text, l.partial]), [
    ["left-right", false],
    ["unterminated-end", false],
  ]);
  assertEquals(await cliLogs(daemon, ["chunky", "--no-prefix"]), [
    "left-right",
    "unterminated-end",
  ]);
});

Deno.test("logs survives NUL bytes and invalid UTF-8, and splits a line over 64 KiB with a visible marker and nothing lost", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  await startApp(client, { name: "odd", command: `${FIXTURES}odd_bytes.sh` });
  await waitForLine(client, "odd", "after odd bytes");
  const long = Array.from({ length: 20_000 }, (_, i) => `${String(i).padStart(7, "0")},`).join("");
  assertEquals(long.length, 160_000);

  const plain = await cliLogs(daemon, ["odd", "--no-prefix", "-n", "100"]);
  assertEquals(plain.length, 6, plain.map((l) => l.slice(0, 40)).join("\n"));
  assertEquals(plain[0], "nul[\\x00]here");
  assertEquals(plain[1], "bad[\uFFFD\uFFFD]utf8");
  assertEquals(plain[5], "after odd bytes");
  const pieces = plain.slice(2, 5);
  assert(pieces[0]!.endsWith(" ⏎") && pieces[1]!.endsWith(" ⏎"), "split pieces are marked");
  assert(!pieces[2]!.endsWith(" ⏎"), "the last piece ends the line");
  assertEquals(pieces.map((p) => p.replace(/ ⏎$/, "")).join(""), long);
  assertEquals(pieces[0]!.length, 64 * 1024 + 2);

  const json = (await cliLogs(daemon, ["odd", "--json", "-n", "100"])).map((l) => JSON.parse(l));
  assertEquals(json[0].text, "nul[\u0000]here");
  assertEquals(json.slice(2, 5).map((o) => o.partial), [true, true, false]);
  assertEquals(json.slice(2, 5).map((o) => o.text).join(""), long);
  const status = await client.request("daemon_status");
  assertEquals(status.pid, daemon.pid);
});

Deno.test("logs --follow through the client streams lines written after it started, and ends when the client leaves", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const gate = `${daemon.home}/gate`;
  await startApp(client, { name: "live", command: `${FIXTURES}bursts.sh`, args: [gate, "3"] });
  await waitForLine(client, "live", "first 3");
  const seen: string[] = [];
  {
    await using follower = await daemon.connect();
    // A follow that never delivers fails the test instead of hanging it.
    const timeout = setTimeout(() => follower.close(), 15_000);
    try {
      const stream = follower.stream("logs", { targets: ["live"], lines: 1, follow: true });
      for await (const frame of stream) {
        seen.push(...frame.data.map((l) => l.text));
        // The tail came, so the daemon is following now: open the gate.
        if (seen.length === 1) Deno.writeTextFileSync(gate, "");
        if (seen.includes("second 3")) break;
      }
    } finally {
      clearTimeout(timeout);
    }
  }
  assertEquals(seen, ["first 3", "second 1", "second 2", "second 3"]);
  // The daemon dropped the cancelled stream and still serves.
  assertEquals(await client.request("ping"), "pong");
  assertEquals((await readLines(client, { targets: ["live"] })).length, 6);
});

Deno.test("logs reads back 2 MiB of output completely, in order, once each", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const count = 200_000;
  const script = `awk 'BEGIN { for (i = 1; i <= ${count}; i++) print "line " i }'; exec sleep 3600`;
  await startApp(client, { name: "big", command: "sh", args: ["-c", script] });
  await waitFor(
    () => readLines(client, { targets: ["big"], lines: 1 }),
    (lines) => lines[0]?.text === `line ${count}`,
    { what: `line ${count}`, timeoutMs: 20_000, intervalMs: 100 },
  );
  const size = [...Deno.readDirSync(`${daemon.home}/logs/big`)]
    .filter((e) => e.isFile)
    .reduce((sum, e) => sum + Deno.statSync(`${daemon.home}/logs/big/${e.name}`).size, 0);
  assert(size >= 2 * 1024 * 1024, `want at least 2 MiB of log files, got ${size}`);
  const text = await cliLogs(daemon, ["big", "--no-prefix", "-n", String(count + 10)]);
  assertEquals(text.length, count);
  const wrong = text.findIndex((line, i) => line !== `line ${i + 1}`);
  assertEquals(wrong, -1, `line ${wrong + 1} is ${text[wrong]}`);
  const windowed = await readLines(client, { targets: ["big"], since: Date.now() - 3_600_000 });
  assertEquals(windowed.length, count);
  assertEquals(windowed.at(-1)?.text, `line ${count}`);
});

Deno.test("flush empties an app's logs, and new output is captured afterwards", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const gate = `${daemon.home}/gate`;
  await startApp(client, { name: "flushy", command: `${FIXTURES}bursts.sh`, args: [gate, "3"] });
  await startApp(client, { name: "kept", command: `${FIXTURES}bursts.sh`, args: [gate, "3"] });
  await waitForLine(client, "flushy", "first 3");
  await waitForLine(client, "kept", "first 3");
  const flushed = await daemon.cli(["flush", "flushy"]);
  assertEquals(flushed.code, 0, flushed.stderr);
  assertMatch(flushed.stdout, /flushy/);
  assertEquals(await cliLogs(daemon, ["flushy"]), []);
  assertEquals(
    (await cliLogs(daemon, ["kept", "--no-prefix"])).length,
    3,
    "other apps keep theirs",
  );
  Deno.writeTextFileSync(gate, "");
  await waitForLine(client, "flushy", "second 3");
  assertEquals(await cliLogs(daemon, ["flushy", "--no-prefix"]), [
    "second 1",
    "second 2",
    "second 3",
  ]);
  const missing = await daemon.cli(["flush", "nosuchapp"]);
  assertEquals(missing.code, 3);
});

Deno.test("describe shows the last stderr lines of a crashed app, and its exit event keeps them in output", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const [row] = await startApp(client, {
    name: "crasher",
    command: `${FIXTURES}crash_with_stderr.sh`,
    restart: "never",
  });
  await waitForInstance(client, row!.id, (r) => r.status === "exited", "exited");
  const expected = Array.from({ length: 20 }, (_, i) => `fatal: cause ${i + 6}`).join("\n");
  const [described] = await waitFor(
    () => client.request("describe", { target: "crasher" }),
    (rows) => rows[0]?.last_stderr !== null,
    { what: "last_stderr" },
  );
  assertEquals(described!.last_stderr, expected);
  const cli = await daemon.cli(["describe", "crasher", "--json"]);
  assertEquals(cli.code, 0, cli.stderr);
  assertEquals(JSON.parse(cli.stdout)[0].last_stderr, expected);
  const exit = (await events(client, ["crasher"])).find((e) => e.event === "exit");
  assertEquals(exit?.exit_code, 3);
  assertEquals(exit?.output, expected);
  const db = new DatabaseSync(`${daemon.home}/adasa.db`, { readOnly: true });
  try {
    const rows = db.prepare("SELECT output FROM events WHERE app = ? AND event = 'exit'")
      .all("crasher") as Array<{ output: string }>;
    assertEquals(rows.map((r) => r.output), [expected]);
  } finally {
    db.close();
  }
});
