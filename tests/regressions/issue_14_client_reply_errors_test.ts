/**
 * #14: the client says why a request failed. A reply that is not msgpack is MALFORMED_FRAME
 * naming the decoder's reason, a frame announcing more than 16 MiB is FRAME_TOO_LARGE, and only
 * a daemon that really closed the connection is "The daemon closed the connection". The "daemon"
 * here is a unix socket server of the test's own that answers each request with given bytes.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { AdasaClient, AdasaError } from "../../src/ipc/client.ts";

/** Serves one connection: reads a request, writes `reply` (or nothing), then closes. */
async function fakeDaemon(reply: Uint8Array | null): Promise<AsyncDisposable & { path: string }> {
  const dir = await Deno.makeTempDir({ prefix: "adasa-fake-" });
  const path = `${dir}/daemon.sock`;
  const listener = Deno.listen({ transport: "unix", path });
  const served = (async () => {
    const conn = await listener.accept();
    try {
      await conn.read(new Uint8Array(64 * 1024));
      if (reply) await conn.write(reply);
    } finally {
      conn.close();
    }
  })();
  return {
    path,
    async [Symbol.asyncDispose]() {
      await served;
      listener.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function framed(payload: number[]): Uint8Array {
  const n = payload.length;
  return new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255, ...payload]);
}

async function failureOf(reply: Uint8Array | null): Promise<AdasaError> {
  await using daemon = await fakeDaemon(reply);
  await using client = await AdasaClient.connect({ path: daemon.path });
  try {
    await client.request("ping");
  } catch (error) {
    assert(error instanceof AdasaError, String(error));
    return error;
  }
  throw new Error("the request succeeded");
}

Deno.test("a reply that is not msgpack is MALFORMED_FRAME with the decoder's reason", async () => {
  const error = await failureOf(framed([0xc1])); // 0xc1 is never used by msgpack
  assertEquals(error.code, "MALFORMED_FRAME");
  assertMatch(error.message, /^Unreadable reply from the daemon: Invalid msgpack/);
  assert(error.cause instanceof SyntaxError, "the decoder's error is kept as the cause");
});

Deno.test("a frame longer than the limit is FRAME_TOO_LARGE", async () => {
  const error = await failureOf(new Uint8Array([0x7f, 0xff, 0xff, 0xff, 0x00]));
  assertEquals(error.code, "FRAME_TOO_LARGE");
  assertMatch(error.message, /Frame length 2147483647 is outside/);
});

Deno.test("only a connection closed by the daemon is reported as closed", async () => {
  const error = await failureOf(null);
  assertEquals([error.code, error.message], ["UNAVAILABLE", "The daemon closed the connection"]);
});

Deno.test("a reply whose JSON text does not parse is MALFORMED_FRAME for its request", async () => {
  const { encodeFrame, encodeMessage } = await import("../../src/protocol/mod.ts");
  const reply = encodeFrame(encodeMessage({ id: 1, ok: true, json: "[1," }));
  const error = await failureOf(reply);
  assertEquals(error.code, "MALFORMED_FRAME");
  assertMatch(error.message, /^Unreadable reply from the daemon: /);
  assert(error.cause instanceof SyntaxError, "the parser's error is kept as the cause");
});
