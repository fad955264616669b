import {
  encodeFrame,
  FrameLengthError,
  FrameReader,
  HEADER_BYTES,
  MAX_FRAME_BYTES,
} from "../../src/protocol/frame.ts";
import { assert, assertEquals, assertThrows } from "../_helpers/assert.ts";

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

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

/** Copies so assertions compare contents, not views over a shared buffer. */
function plain(payloads: Uint8Array[]): number[][] {
  return payloads.map((p) => [...p]);
}

Deno.test("encodeFrame() prefixes the payload with its big-endian length", () => {
  const cases: Array<{ payload: Uint8Array; want: number[] }> = [
    { payload: bytes(0xc0), want: [0, 0, 0, 1, 0xc0] },
    { payload: bytes(1, 2, 3), want: [0, 0, 0, 3, 1, 2, 3] },
    { payload: new Uint8Array(0x0102), want: [0, 0, 1, 2, ...new Uint8Array(0x0102)] },
  ];
  for (const { payload, want } of cases) {
    assertEquals([...encodeFrame(payload)], want);
  }
});

Deno.test("encodeFrame() rejects an empty payload and one over MAX_FRAME_BYTES", () => {
  for (const size of [0, MAX_FRAME_BYTES + 1]) {
    assertThrows(() => encodeFrame(new Uint8Array(size)), (e) => e instanceof RangeError);
  }
});

Deno.test("FrameReader.push() yields one payload from one whole frame", () => {
  const reader = new FrameReader();
  assertEquals(plain(reader.push(bytes(0, 0, 0, 2, 0xaa, 0xbb))), [[0xaa, 0xbb]]);
  assertEquals(reader.pendingBytes, 0);
});

Deno.test("FrameReader.push() yields every frame of one chunk in order", () => {
  const reader = new FrameReader();
  const chunk = bytes(0, 0, 0, 1, 0x01, 0, 0, 0, 2, 0x02, 0x03, 0, 0, 0, 3, 0x04, 0x05, 0x06);
  assertEquals(plain(reader.push(chunk)), [[0x01], [0x02, 0x03], [0x04, 0x05, 0x06]]);
  assertEquals(reader.pendingBytes, 0);
});

Deno.test("FrameReader.push() reassembles frames fed one byte at a time", () => {
  const reader = new FrameReader();
  const stream = concat(encodeFrame(bytes(9, 8, 7, 6, 5)), encodeFrame(bytes(4)));
  const got: number[][] = [];
  stream.forEach((byte, i) => {
    const out = reader.push(bytes(byte));
    // Nothing may come out before the last byte of a frame has arrived.
    if (i !== 8 && i !== stream.length - 1) assertEquals(out.length, 0, `early payload at ${i}`);
    got.push(...plain(out));
    const want = i === 8 || i === stream.length - 1 ? 0 : i < 8 ? i + 1 : i - 8;
    assertEquals(reader.pendingBytes, want, `pending after byte ${i}`);
  });
  assertEquals(got, [[9, 8, 7, 6, 5], [4]]);
});

Deno.test("FrameReader.push() handles a header split across chunks", () => {
  const splits = [1, 2, 3];
  for (const at of splits) {
    const reader = new FrameReader();
    const frame = encodeFrame(bytes(0x11, 0x22));
    assertEquals(reader.push(frame.subarray(0, at)).length, 0);
    assertEquals(reader.pendingBytes, at);
    assertEquals(plain(reader.push(frame.subarray(at))), [[0x11, 0x22]], `split at ${at}`);
  }
});

Deno.test("FrameReader.push() handles a payload split across chunks together with the next frame", () => {
  const reader = new FrameReader();
  const stream = concat(encodeFrame(bytes(1, 2, 3, 4)), encodeFrame(bytes(5, 6)));
  assertEquals(reader.push(stream.subarray(0, 6)).length, 0);
  assertEquals(plain(reader.push(stream.subarray(6, 11))), [[1, 2, 3, 4]]);
  assertEquals(reader.pendingBytes, 3);
  assertEquals(plain(reader.push(stream.subarray(11))), [[5, 6]]);
});

Deno.test("FrameReader.push() throws FrameLengthError for lengths outside 1..max", () => {
  const cases: Array<{ length: number; max?: number }> = [
    { length: 0 },
    { length: 0xffffffff },
    { length: MAX_FRAME_BYTES + 1 },
    { length: 0, max: 16 },
    { length: 17, max: 16 },
  ];
  for (const { length, max } of cases) {
    const reader = new FrameReader(max === undefined ? {} : { maxFrameBytes: max });
    const error = assertThrows(
      () => reader.push(header(length)),
      (e) => e instanceof FrameLengthError && e instanceof SyntaxError,
    ) as FrameLengthError;
    assertEquals(error.length, length);
  }
});

Deno.test("FrameReader.push() rejects an oversized header before its payload arrives", () => {
  // The reader must not buffer a hostile announced length waiting for bytes that never come.
  const reader = new FrameReader({ maxFrameBytes: 8 });
  assertThrows(
    () => reader.push(concat(header(9), bytes(1))),
    (e) => e instanceof FrameLengthError,
  );
});

Deno.test("FrameReader.push() accepts a frame of exactly maxFrameBytes", () => {
  const reader = new FrameReader({ maxFrameBytes: 16 });
  const payload = Uint8Array.from({ length: 16 }, (_, i) => i);
  assertEquals(plain(reader.push(concat(header(16), payload))), [[...payload]]);
});

Deno.test("FrameReader.push() accepts a real 16 MiB frame fed in 64 KiB chunks", () => {
  const payload = new Uint8Array(MAX_FRAME_BYTES);
  payload[0] = 0xab;
  payload[MAX_FRAME_BYTES - 1] = 0xcd;
  const frame = encodeFrame(payload);
  const reader = new FrameReader();
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < frame.length; offset += 64 * 1024) {
    out.push(...reader.push(frame.subarray(offset, offset + 64 * 1024)));
  }
  assertEquals(out.length, 1);
  assertEquals(out[0]!.length, MAX_FRAME_BYTES);
  assert(out[0]![0] === 0xab && out[0]![MAX_FRAME_BYTES - 1] === 0xcd, "payload bytes changed");
  assertEquals(reader.pendingBytes, 0);
});

Deno.test("FrameReader.push() with an empty chunk yields nothing and keeps what is pending", () => {
  const reader = new FrameReader();
  reader.push(bytes(0, 0));
  assertEquals(reader.push(new Uint8Array(0)).length, 0);
  assertEquals(reader.pendingBytes, 2);
});
