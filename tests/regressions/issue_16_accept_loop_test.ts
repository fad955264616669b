/**
 * #16.2: the accept loop returned on its first error, so a daemon out of file descriptors
 * (EMFILE) stayed up but deaf for good, with connections queueing in the backlog. It now logs,
 * backs off and retries. Open connections are capped (ADASA_MAX_CONNECTIONS) and one that does
 * nothing for ADASA_IDLE_TIMEOUT_MS is closed, so neither can keep the daemon's descriptors.
 */
import { AdasaError } from "../../src/protocol/errors.ts";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startDaemon, type TestDaemon } from "../_helpers/daemon.ts";
import { startApp } from "../_helpers/apps.ts";
import { RawSocket, type WireFrame } from "../_helpers/raw_socket.ts";
import { waitFor } from "../_helpers/wait.ts";

const FD_LIMIT = 64;

async function pingOver(raw: RawSocket, id: number): Promise<WireFrame | null> {
  await raw.send({ v: 1, id, op: "ping", args: {} });
  return await raw.next(20_000);
}

function daemonLog(d: TestDaemon): string {
  try {
    return Deno.readTextFileSync(`${d.home}/daemon.log`);
  } catch {
    return "";
  }
}

async function closeAll(sockets: RawSocket[]): Promise<void> {
  for (const raw of sockets.splice(0)) await raw[Symbol.asyncDispose]();
}

Deno.test("out of descriptors, the daemon keeps accepting once some are free again", async () => {
  await using daemon = await startDaemon({
    prefix: ["prlimit", `--nofile=${FD_LIMIT}:${FD_LIMIT}`],
  });
  const sockets: RawSocket[] = [];
  try {
    // Each accepted connection costs the daemon one descriptor; the rest wait in the backlog.
    for (let i = 0; i < 90; i++) sockets.push(await RawSocket.connect(daemon.home));
    const openFds = () => [...Deno.readDirSync(`/proc/${daemon.pid}/fd`)].length;
    await waitFor(openFds, (n) => n >= FD_LIMIT, {
      what: `the daemon at its limit of ${FD_LIMIT} descriptors`,
      timeoutMs: 20_000,
    });
  } finally {
    await closeAll(sockets);
  }
  // A new client is served (on the old accept loop it waited in the backlog for ever).
  await using raw = await RawSocket.connect(daemon.home);
  assertEquals(await pingOver(raw, 1), { id: 1, ok: true, data: "pong" });
  assertMatch(
    daemonLog(daemon),
    /Cannot accept a connection \(.*(Too many open files|os error 24)/,
  );
  await waitFor(() => daemonLog(daemon), (log) => log.includes("Accepting connections again"), {
    what: "the recovery in daemon.log",
  });
});

Deno.test("one connection over ADASA_MAX_CONNECTIONS gets UNAVAILABLE; a freed slot is reused", async () => {
  await using daemon = await startDaemon({ env: { ADASA_MAX_CONNECTIONS: "4" } });
  const sockets: RawSocket[] = [];
  try {
    for (let i = 0; i < 4; i++) {
      const raw = await RawSocket.connect(daemon.home);
      sockets.push(raw);
      assertEquals(await pingOver(raw, i + 1), { id: i + 1, ok: true, data: "pong" });
    }
    await using extra = await RawSocket.connect(daemon.home);
    const frames = await extra.waitClosed();
    assertEquals(frames.length, 1, JSON.stringify(frames));
    assertEquals(frames[0]!.ok, false);
    const error = frames[0]!.error as { code: string; message: string };
    assertEquals(error.code, "UNAVAILABLE");
    assertMatch(error.message, /^Too many connections \(4 open\)/);
    // The client library reports the daemon's reason, not a bare closed connection.
    await using refused = await daemon.connect();
    const failure = await refused.request("ping").then(() => null, (e: unknown) => e);
    assert(failure instanceof AdasaError, String(failure));
    assertEquals(failure.code, "UNAVAILABLE");
    assertMatch(failure.message, /^Too many connections \(4 open\)/);
    await sockets.shift()![Symbol.asyncDispose]();
    // The daemon notices the close on its own time: retry until a slot is free.
    const answer = await waitFor(
      async () => {
        try {
          await using raw = await RawSocket.connect(daemon.home);
          return await pingOver(raw, 9);
        } catch (error) {
          return { refused: String(error) }; // the ping met the refused, closed connection
        }
      },
      (frame) => frame?.ok === true,
      { what: "a served fifth client" },
    );
    assertEquals(answer, { id: 9, ok: true, data: "pong" });
  } finally {
    await closeAll(sockets);
  }
});

Deno.test("an idle connection is closed after ADASA_IDLE_TIMEOUT_MS; one with a running stream is not", async () => {
  await using daemon = await startDaemon({ env: { ADASA_IDLE_TIMEOUT_MS: "300" } });
  {
    await using client = await daemon.connect();
    await startApp(client, { name: "quiet", command: "sleep", args: ["60"] });
  }
  await using following = await RawSocket.connect(daemon.home);
  await following.send({
    v: 1,
    id: 1,
    op: "logs",
    args: { targets: ["quiet"], follow: true, lines: 0 },
  });
  await using idle = await RawSocket.connect(daemon.home);
  const frames = await idle.waitClosed();
  assertEquals(frames.length, 1, JSON.stringify(frames));
  const error = frames[0]!.error as { code: string; message: string };
  assertEquals(error.code, "UNAVAILABLE");
  assertMatch(error.message, /^Connection idle for 300 ms; closed$/);
  // The follow was opened before the idle connection, so the sweep that closed it saw both.
  assert(!following.closed, "the daemon closed a connection whose stream was running");
  // The stream may have sent its (empty) tail meanwhile: skip its events to the ping's reply.
  await following.send({ v: 1, id: 2, op: "ping", args: {} });
  let reply = await following.next();
  while (reply !== null && reply.id === 1 && reply.event === "lines") {
    reply = await following.next();
  }
  assertEquals(reply, { id: 2, ok: true, data: "pong" });
});
