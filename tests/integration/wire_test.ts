/**
 * Hostile and unusual bytes on the daemon's socket: every case gets the reply DESIGN.md's wire
 * section promises, and afterwards a second client's ping still succeeds (the daemon lives).
 */
import {
  encodeFrame,
  encodeMessage,
  HEADER_BYTES,
  MAX_FRAME_BYTES,
} from "../../src/protocol/mod.ts";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startDaemon, type TestDaemon } from "../_helpers/daemon.ts";
import { RawSocket, type WireFrame } from "../_helpers/raw_socket.ts";
import { startApp } from "../_helpers/apps.ts";

/** The server's default in src/ipc/server.ts; the daemon does not override it. */
const PARTIAL_FRAME_TIMEOUT_MS = 5_000;

function header(length: number): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  new DataView(out.buffer).setUint32(0, length, false);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Deterministic bytes (mulberry32), so a failure can be replayed. */
function seededBytes(seed: number, length: number): Uint8Array {
  let state = seed >>> 0;
  return Uint8Array.from({ length }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) & 0xff;
  });
}

function frameOf(message: unknown): Uint8Array {
  return encodeFrame(encodeMessage(message));
}

function ping(id: number): Uint8Array {
  return frameOf({ v: 1, id, op: "ping", args: {} });
}

/** A second, well-behaved client still gets "pong". */
async function assertDaemonAlive(daemon: TestDaemon): Promise<void> {
  await using client = await daemon.connect();
  assertEquals(await client.request("ping"), "pong");
}

function assertError(frame: WireFrame | null, id: number, code: string): void {
  assert(frame !== null, `want a ${code} reply, got a closed connection`);
  assertEquals(frame.id, id, `reply id (${JSON.stringify(frame)})`);
  assertEquals(frame.ok, false, `reply ok (${JSON.stringify(frame)})`);
  const error = frame.error as { code: string; message: string };
  assertEquals(error.code, code, error.message);
  assert(typeof error.message === "string" && !error.message.includes("\n"), "one-line message");
}

/** Sends bytes that must cost the connection: one error reply, then the daemon closes it. */
async function assertRejectedAndClosed(
  daemon: TestDaemon,
  bytes: Uint8Array,
  code: string,
): Promise<WireFrame> {
  await using raw = await RawSocket.connect(daemon.home);
  await raw.writeTolerant(bytes);
  const frames = await raw.waitClosed();
  assertEquals(frames.length, 1, `frames before close: ${JSON.stringify(frames)}`);
  assertError(frames[0]!, 0, code);
  await assertDaemonAlive(daemon);
  return frames[0]!;
}

Deno.test("wire: random bytes get an error reply and a closed connection", async () => {
  await using daemon = await startDaemon();
  for (const seed of [1, 2, 3]) {
    // A first byte of 2 or more announces over 16 MiB, so no case waits for a partial frame.
    const bytes = seededBytes(seed, 256);
    bytes[0] = Math.max(bytes[0]!, 2);
    await assertRejectedAndClosed(daemon, bytes, "FRAME_TOO_LARGE");
  }
  // Random bytes inside a well-formed frame are not one msgpack value.
  for (const seed of [4, 5, 6]) {
    const payload = seededBytes(seed, 64);
    payload[0] = 0xc1; // never used in msgpack: keeps the case invalid whatever the seed yields
    await assertRejectedAndClosed(daemon, concat(header(64), payload), "MALFORMED_FRAME");
  }
});

Deno.test("wire: a frame of length 0 gets MALFORMED_FRAME and a closed connection", async () => {
  await using daemon = await startDaemon();
  await assertRejectedAndClosed(daemon, header(0), "MALFORMED_FRAME");
});

Deno.test("wire: a frame of length 0xFFFFFFFF gets FRAME_TOO_LARGE and a closed connection", async () => {
  await using daemon = await startDaemon();
  const reply = await assertRejectedAndClosed(
    daemon,
    concat(header(0xffffffff), new Uint8Array(32)),
    "FRAME_TOO_LARGE",
  );
  assertMatch((reply.error as { message: string }).message, /4294967295/);
});

Deno.test("wire: a frame one byte over 16 MiB is refused from its header", async () => {
  await using daemon = await startDaemon();
  const frame = concat(header(MAX_FRAME_BYTES + 1), new Uint8Array(MAX_FRAME_BYTES + 1));
  const reply = await assertRejectedAndClosed(daemon, frame, "FRAME_TOO_LARGE");
  assertMatch((reply.error as { message: string }).message, new RegExp(`${MAX_FRAME_BYTES + 1}`));
});

Deno.test("wire: a request of exactly 16 MiB is decoded and answered", async () => {
  await using daemon = await startDaemon();
  // Two binaries, since one may hold at most MAX_STRING_BYTES (8 MiB); sizes are solved so
  // that the encoded request is exactly MAX_FRAME_BYTES long.
  const probe = (a: number, b: number) =>
    encodeMessage({
      v: 1,
      id: 42,
      op: "ping",
      args: { a: new Uint8Array(a), b: new Uint8Array(b) },
    });
  const overhead = probe(70_000, 70_000).length - 140_000;
  const a = 8 * 1024 * 1024;
  const b = MAX_FRAME_BYTES - overhead - a;
  const payload = probe(a, b);
  assertEquals(payload.length, MAX_FRAME_BYTES);
  await using raw = await RawSocket.connect(daemon.home);
  await raw.write(encodeFrame(payload));
  assertEquals(await raw.next(), { id: 42, ok: true, data: "pong" });
  // The connection stays usable after a maximal frame.
  await raw.write(ping(43));
  assertEquals(await raw.next(), { id: 43, ok: true, data: "pong" });
  await assertDaemonAlive(daemon);
});

Deno.test("wire: a truncated frame held open is closed after the partial-frame timeout", async () => {
  await using daemon = await startDaemon();
  await using raw = await RawSocket.connect(daemon.home);
  const started = Date.now();
  const frame = ping(1);
  await raw.write(frame.subarray(0, frame.length - 3));
  const frames = await raw.waitClosed(PARTIAL_FRAME_TIMEOUT_MS * 3);
  const elapsed = Date.now() - started;
  assertEquals(frames.length, 1, JSON.stringify(frames));
  assertError(frames[0]!, 0, "MALFORMED_FRAME");
  assert(
    elapsed >= PARTIAL_FRAME_TIMEOUT_MS - 100,
    `closed after ${elapsed} ms, before the ${PARTIAL_FRAME_TIMEOUT_MS} ms timeout`,
  );
  await assertDaemonAlive(daemon);
});

Deno.test("wire: a busy pipelined stream with frames split across writes is not cut off", async () => {
  await using daemon = await startDaemon();
  await using raw = await RawSocket.connect(daemon.home);
  // Every write ends inside a frame, so the server never sees an empty buffer; but frames do
  // complete all the time, so the partial-frame timeout must not fire.
  const stream = concat(...Array.from({ length: 8 }, (_, i) => ping(i + 1)));
  const per = Math.floor(stream.length / 8) + 3;
  const writes = Math.ceil(stream.length / per);
  const stepMs = Math.ceil((PARTIAL_FRAME_TIMEOUT_MS * 1.4) / writes);
  let answered = 0;
  for (let offset = 0; offset < stream.length; offset += per) {
    await raw.write(stream.subarray(offset, offset + per));
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    const complete = Math.floor(Math.min(offset + per, stream.length) / ping(1).length);
    for (const frame of await raw.take(complete - answered)) {
      assertEquals(frame, { id: answered + 1, ok: true, data: "pong" });
      answered++;
    }
  }
  assertEquals(answered, 8);
  assert(!raw.closed, "the daemon closed a connection that kept completing frames");
  await assertDaemonAlive(daemon);
});

Deno.test("wire: invalid msgpack in a whole frame gets MALFORMED_FRAME and a closed connection", async () => {
  await using daemon = await startDaemon();
  const cases = [
    Uint8Array.of(0xc1),
    Uint8Array.of(0x92, 0x01),
    Uint8Array.of(0x01, 0x02),
    concat(encodeMessage({ v: 1, id: 1, op: "ping" }), Uint8Array.of(0)),
    Uint8Array.of(...new Array(40).fill(0x91), 0xc0),
  ];
  for (const payload of cases) {
    await assertRejectedAndClosed(daemon, encodeFrame(payload), "MALFORMED_FRAME");
  }
});

Deno.test("wire: a wrong type in any request field gets INVALID_ARGUMENT and the connection lives", async () => {
  await using daemon = await startDaemon();
  await using raw = await RawSocket.connect(daemon.home);
  const cases: Array<{ request: unknown; id: number }> = [
    { request: 5, id: 0 },
    { request: "ping", id: 0 },
    { request: [1, 2, "ping", {}], id: 0 },
    { request: null, id: 0 },
    { request: { v: 1, op: "ping", args: {} }, id: 0 },
    { request: { v: 1, id: "7", op: "ping", args: {} }, id: 0 },
    { request: { v: 1, id: -1, op: "ping", args: {} }, id: 0 },
    { request: { v: 1, id: 1.5, op: "ping", args: {} }, id: 0 },
    { request: { v: "1", id: 11, op: "ping", args: {} }, id: 11 },
    { request: { id: 12, op: "ping", args: {} }, id: 12 },
    { request: { v: 1, id: 13, op: 7, args: {} }, id: 13 },
    { request: { v: 1, id: 14, op: "", args: {} }, id: 14 },
    { request: { v: 1, id: 15, args: {} }, id: 15 },
    { request: { v: 1, id: 16, op: "p".repeat(65), args: {} }, id: 16 },
    { request: { v: 1, id: 17, op: "ping", args: [] }, id: 17 },
    { request: { v: 1, id: 18, op: "ping", args: "x" }, id: 18 },
    { request: { v: 1, id: 19, op: "ping", args: new Uint8Array(2) }, id: 19 },
    { request: { v: 1, id: 20, op: "describe", args: { target: 5 } }, id: 20 },
  ];
  for (const { request, id } of cases) {
    await raw.send(request);
    assertError(await raw.next(), id, "INVALID_ARGUMENT");
    await raw.write(ping(1000 + id));
    assertEquals(
      await raw.next(),
      { id: 1000 + id, ok: true, data: "pong" },
      JSON.stringify(request),
    );
    await assertDaemonAlive(daemon);
  }
});

Deno.test("wire: each op's arguments are checked before its handler runs, naming the field", async () => {
  await using daemon = await startDaemon();
  await using raw = await RawSocket.connect(daemon.home);
  const cases: Array<{ op: string; args: Record<string, unknown>; field: string }> = [
    { op: "start", args: { app: { name: "made", command: "sleep" }, config: 7 }, field: "config" },
    { op: "start", args: { config: { path: 1, cwd: "/" } }, field: "config.path" },
    { op: "stop", args: { targets: "all" }, field: "targets" },
    { op: "stop", args: { targets: ["all"], force: "yes" }, field: "force" },
    { op: "scale", args: { app: "made", instances: 0 }, field: "instances" },
    { op: "logs", args: { stream: "both" }, field: "stream" },
    { op: "export", args: { format: "yaml" }, field: "format" },
    { op: "web_start", args: { port: 70_000 }, field: "port" },
  ];
  let id = 100;
  for (const { op, args, field } of cases) {
    await raw.send({ v: 1, id: ++id, op, args });
    const frame = await raw.next();
    assertError(frame, id, "INVALID_ARGUMENT");
    assertMatch((frame!.error as { message: string }).message, new RegExp(`^args\\.${field}\\b`));
  }
  // The refused start created nothing; a field no op declares is ignored, not an error.
  await using client = await daemon.connect();
  assertEquals(await client.request("list"), []);
  await raw.send({ v: 1, id: 200, op: "list", args: { verbose: true } });
  assertEquals(await raw.next(), { id: 200, ok: true, data: [] });
});

Deno.test("wire: unknown ops, including Object.prototype names, get UNKNOWN_OP", async () => {
  await using daemon = await startDaemon();
  await using raw = await RawSocket.connect(daemon.home);
  const ops = [
    "bogus",
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "valueOf",
    "PING",
  ];
  for (const [i, op] of ops.entries()) {
    await raw.send({ v: 1, id: i + 1, op, args: {} });
    const reply = await raw.next();
    assertError(reply, i + 1, "UNKNOWN_OP");
    assertMatch((reply!.error as { message: string }).message, new RegExp(`"${op}"`));
    await assertDaemonAlive(daemon);
  }
  await raw.write(ping(99));
  assertEquals(await raw.next(), { id: 99, ok: true, data: "pong" });
});

Deno.test("wire: v 2 gets UNSUPPORTED_VERSION with the request's id", async () => {
  await using daemon = await startDaemon();
  await using raw = await RawSocket.connect(daemon.home);
  await raw.send({ v: 2, id: 5, op: "ping", args: {} });
  const reply = await raw.next();
  assertError(reply, 5, "UNSUPPORTED_VERSION");
  await raw.write(ping(6));
  assertEquals(await raw.next(), { id: 6, ok: true, data: "pong" });
  await assertDaemonAlive(daemon);
});

Deno.test("wire: 1000 pipelined pings in one write are all answered by id", async () => {
  await using daemon = await startDaemon();
  await using raw = await RawSocket.connect(daemon.home);
  const count = 1000;
  await raw.write(concat(...Array.from({ length: count }, (_, i) => ping(i + 1))));
  const replies = await raw.take(count);
  const ids = new Set<number>();
  for (const reply of replies) {
    assertEquals(reply.ok, true);
    assertEquals(reply.data, "pong");
    ids.add(reply.id as number);
  }
  assertEquals(ids.size, count);
  assert([...ids].every((id) => id >= 1 && id <= count), "reply ids outside the request ids");
  await assertDaemonAlive(daemon);
});

Deno.test('wire: accept "json" gets the reply as JSON text; without it, as msgpack data', async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  await startApp(client, { name: "sleeper", command: "sleep", args: ["600"] });
  await using raw = await RawSocket.connect(daemon.home);
  await raw.send({ v: 1, id: 1, op: "list", args: {}, accept: "json" });
  const asJson = await raw.next();
  assertEquals(Object.keys(asJson!).sort(), ["id", "json", "ok"]);
  await raw.send({ v: 1, id: 2, op: "list", args: {} });
  const asData = await raw.next();
  assertEquals(asData!.id, 2);
  const rows = JSON.parse(asJson!.json as string) as Array<{ name: string; pid: number }>;
  const data = asData!.data as typeof rows;
  assertEquals(rows.map((r) => [r.name, r.pid]), data.map((r) => [r.name, r.pid]));
  assertEquals(rows.map((r) => r.name), ["sleeper"]);
  await raw.send({ v: 1, id: 3, op: "ping", args: {}, accept: "xml" });
  const refused = await raw.next();
  assertError(refused, 3, "INVALID_ARGUMENT");
  assertMatch((refused!.error as { message: string }).message, /^request\.accept must be "json"$/);
  await client.request("delete", { targets: ["all"] });
  await assertDaemonAlive(daemon);
});
