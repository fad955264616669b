/**
 * #16.3: nesting depth was checked after decoding, so one 16 MiB frame of 0x91 bytes made the
 * daemon build 16 million nested arrays first (8.5 s on its thread, RSS from 1.0 to 3.0 GB).
 * The frame is now refused by a scan of its bytes, and a frame of one-byte values is refused by
 * the request's value limit before the decoder allocates them.
 */
import { encodeFrame, HEADER_BYTES, MAX_REQUEST_VALUES } from "../../src/protocol/mod.ts";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { rssBytes } from "../_helpers/proc.ts";
import { RawSocket } from "../_helpers/raw_socket.ts";

const MiB = 1024 * 1024;
/** The frame alone is 16 MiB, buffered while it arrives; the old decode took 2 GB. */
const RSS_MARGIN = 160 * MiB;

async function refusedAndClosed(home: string, payload: Uint8Array): Promise<string> {
  await using raw = await RawSocket.connect(home);
  await raw.writeTolerant(encodeFrame(payload));
  const frames = await raw.waitClosed(30_000);
  assertEquals(frames.length, 1, JSON.stringify(frames).slice(0, 300));
  const frame = frames[0]!;
  assertEquals(frame.ok, false);
  const error = frame.error as { code: string; message: string };
  assertEquals(error.code, "MALFORMED_FRAME");
  return error.message;
}

Deno.test("a 16 MiB frame of 0x91 is refused by its nesting without growing the daemon", async () => {
  await using daemon = await startDaemon();
  const before = rssBytes(daemon.pid)!;
  const payload = new Uint8Array(16 * MiB).fill(0x91);
  assertMatch(await refusedAndClosed(daemon.home, payload), /nesting exceeds 32 levels/);
  await using client = await daemon.connect();
  assertEquals(await client.request("ping"), "pong");
  const after = rssBytes(daemon.pid)!;
  assert(
    after - before < RSS_MARGIN,
    `RSS grew ${((after - before) / MiB).toFixed(1)} MiB (${before} -> ${after})`,
  );
});

Deno.test("a request of more than MAX_REQUEST_VALUES one-byte values is refused", async () => {
  await using daemon = await startDaemon();
  const before = rssBytes(daemon.pid)!;
  // { v, id, op, args: { x: [ 16 arrays of 1,000,000 nils ] } }: 16 MiB of one-byte values.
  const head = [0x84, 0xa1, 0x76, 0x01, 0xa2, 0x69, 0x64, 0x07, 0xa2, 0x6f, 0x70, 0xa4];
  const text = new TextEncoder();
  const prefix = Uint8Array.from([
    ...head,
    ...text.encode("ping"),
    0xa4,
    ...text.encode("args"),
    0x81,
    0xa1,
    0x78,
    0x90 | 15,
  ]);
  const array = Uint8Array.from([0xdd, 0x00, 0x0f, 0x42, 0x40]); // array32 of 1,000,000
  const size = 16 * MiB - HEADER_BYTES;
  const payload = new Uint8Array(Math.min(size, prefix.length + 15 * (5 + 1_000_000)));
  payload.set(prefix);
  let offset = prefix.length;
  for (let i = 0; i < 15; i++) {
    payload.set(array, offset);
    payload.fill(0xc0, offset + 5, offset + 5 + 1_000_000);
    offset += 5 + 1_000_000;
  }
  const message = await refusedAndClosed(daemon.home, payload);
  assertMatch(message, new RegExp(`more than ${MAX_REQUEST_VALUES} values`));
  await using client = await daemon.connect();
  assertEquals(await client.request("ping"), "pong");
  const after = rssBytes(daemon.pid)!;
  assert(after - before < RSS_MARGIN, `RSS grew ${((after - before) / MiB).toFixed(1)} MiB`);
});
