/**
 * #16.1 and #16.9: log reads cannot freeze the daemon. A tail of half a million lines (quadratic
 * before: it held the daemon for minutes) answers while a ping on another connection is served
 * before the tail ends; a backtracking `--grep --regex` ends with a clear error instead of
 * blocking every client, and the daemon goes on answering meanwhile.
 */
import type { AdasaClient } from "../../src/ipc/client.ts";
import { AdasaError } from "../../src/protocol/mod.ts";
import { MAX_LOG_LINES } from "../../src/model/limits.ts";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startApp } from "../_helpers/apps.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { waitFor } from "../_helpers/wait.ts";

const TOTAL = 1_000_000;
/** Far beyond what the fixed reader needs, far below what the quadratic one took. */
const GENEROUS_MS = 120_000;

async function lastLine(client: AdasaClient, app: string): Promise<string | undefined> {
  let last: string | undefined;
  for await (const frame of client.stream("logs", { targets: [app], lines: 1 })) {
    const lines = frame.data;
    last = lines.at(-1)?.text ?? last;
  }
  return last;
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${GENEROUS_MS} ms`)), GENEROUS_MS);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

Deno.test("logs --lines 500000 of a 1M-line log streams the exact tail while pings are served", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  await using pinger = await daemon.connect();
  await startApp(client, {
    name: "counter",
    command: "sh",
    args: ["-c", `seq 1 ${TOTAL}; exec sleep 3600`],
    log_retain_bytes: 1024 * 1024 * 1024,
  });
  await waitFor(() => lastLine(client, "counter"), (l) => l === String(TOTAL), {
    what: `line ${TOTAL} captured`,
    timeoutMs: 60_000,
    intervalMs: 200,
  });

  let ended = false;
  let pingedBeforeEnd = false;
  const reading = (async () => {
    let count = 0, first: string | undefined, last: string | undefined, ordered = true;
    for await (const frame of client.stream("logs", { targets: ["counter"], lines: 500_000 })) {
      for (const line of frame.data) {
        first ??= line.text;
        if (last !== undefined && Number(line.text) !== Number(last) + 1) ordered = false;
        last = line.text;
        count++;
      }
    }
    ended = true;
    return { count, first, last, ordered };
  })();
  await pinger.request("ping");
  pingedBeforeEnd = !ended;
  const tail = await within(reading, "the tail");
  assertEquals(tail, { count: 500_000, first: "500001", last: String(TOTAL), ordered: true });
  assert(pingedBeforeEnd, "a ping sent during the tail was answered only after it ended");

  // The wire, the CLI and the web agree on one limit, and say which argument is wrong.
  const tooMany = await client.stream("logs", { targets: ["counter"], lines: MAX_LOG_LINES + 1 })
    .next().then(() => null, (error) => error);
  assert(tooMany instanceof AdasaError, `want an error, got ${tooMany}`);
  assertEquals(tooMany.code, "INVALID_ARGUMENT");
  const cli = await daemon.cli(["logs", "counter", "--lines", String(MAX_LOG_LINES + 1)]);
  assertEquals(cli.code, 2);
  assertMatch(cli.stderr, /lines/);
});

Deno.test("logs --grep --regex: a backtracking pattern runs off the daemon's thread, fails on its budget when it must, and pings go on", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  await using pinger = await daemon.connect();
  const a = (n: number) => "a".repeat(n);
  await startApp(client, {
    name: "evil",
    command: "sh",
    args: ["-c", `echo ${a(40)}!; echo ${a(30)}; echo ok; exec sleep 3600`],
  });
  await waitFor(() => lastLine(client, "evil"), (l) => l === "ok", { what: "output captured" });
  const grep = async (args: Record<string, unknown>) => {
    const found: string[] = [];
    for await (const frame of client.stream("logs", { targets: ["evil"], regex: true, ...args })) {
      for (const line of frame.data) found.push(line.text);
    }
    return found;
  };

  // (a+)+$ on 40 a's and a "!" backtracks 2^40 steps; the linear engine takes it over.
  assertEquals(await within(grep({ grep: "(a+)+$" }), "(a+)+$"), [a(30)]);

  // A backreference keeps the backtracking engine: the budget ends the read, not the daemon.
  let ended = false;
  const failing = grep({ grep: "^(a+)+\\1$" }).then(() => null, (error) => error).finally(() => {
    ended = true;
  });
  await pinger.request("ping");
  const pingedBeforeEnd = !ended;
  const error = await within(failing, "the backreference read");
  assert(error instanceof AdasaError, `want an error, got ${error}`);
  assertEquals(error.code, "INVALID_ARGUMENT");
  assertMatch(error.message, /regular expression \/\^\(a\+\)\+\\1\$\/ took over \d+ ms/);
  assert(pingedBeforeEnd, "the daemon did not answer a ping while the regex ran");

  // An ordinary regex still works, case-insensitively too; a bad one is refused up front.
  assertEquals(await grep({ grep: "^O", ignore_case: true }), ["ok"]);
  const cli = await daemon.cli(["logs", "evil", "--grep", "(", "--regex"]);
  assertEquals(cli.code, 2);
  assertMatch(cli.stderr, /--grep: Invalid regular expression/);
});
