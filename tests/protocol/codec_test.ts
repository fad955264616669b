import {
  decodeMessage,
  encodeMessage,
  MAX_COLLECTION_LENGTH,
  MAX_DEPTH,
  MAX_REQUEST_VALUES,
  MAX_STRING_BYTES,
  REQUEST_LIMITS,
} from "../../src/protocol/codec.ts";
import { assert, assertEquals, assertMatch, assertThrows } from "../_helpers/assert.ts";

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

/** A msgpack header with a 32-bit big-endian length: str32 0xdb, bin32 0xc6, array32 0xdd, map32 0xdf. */
function header32(type: number, length: number): Uint8Array {
  const out = new Uint8Array(5);
  out[0] = type;
  new DataView(out.buffer).setUint32(1, length, false);
  return out;
}

function withBody(head: Uint8Array, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** `levels` nested one-element arrays around nil: 0x91 0x91 ... 0xc0. */
function nestedArrays(levels: number): Uint8Array {
  return bytes(...new Array(levels).fill(0x91), 0xc0);
}

function syntaxError(pattern?: RegExp): (error: unknown) => boolean {
  return (error) => error instanceof SyntaxError && (!pattern || pattern.test(error.message));
}

Deno.test("decodeMessage(encodeMessage(x)) returns x for every kind of value", () => {
  const cases: unknown[] = [
    null,
    true,
    false,
    0,
    -1,
    127,
    -33,
    65_535,
    2 ** 32,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    1.5,
    -0.25,
    "",
    "pong",
    "ünïcødé ✓ 𝄞",
    "x".repeat(70_000),
    [],
    [1, "two", [3, [4]]],
    {},
    { v: 1, id: 7, op: "ping", args: {} },
    { nested: { deep: { list: [{ a: null }] } } },
    new Uint8Array([0, 1, 254, 255]),
    { blob: new Uint8Array(100_000) },
  ];
  for (const value of cases) {
    assertEquals(decodeMessage(encodeMessage(value)), value);
  }
});

Deno.test("encodeMessage() leaves out undefined properties", () => {
  assertEquals(decodeMessage(encodeMessage({ a: 1, b: undefined })), { a: 1 });
});

Deno.test("decodeMessage() throws SyntaxError for bytes that are not one msgpack value", () => {
  const cases: Array<{ name: string; input: Uint8Array }> = [
    { name: "empty", input: new Uint8Array(0) },
    { name: "never-used type byte 0xc1", input: bytes(0xc1) },
    { name: "array of 2 with 1 element", input: bytes(0x92, 0x01) },
    { name: "str8 shorter than announced", input: bytes(0xd9, 0x05, 0x61) },
    { name: "map with an array key", input: bytes(0x81, 0x90, 0x01) },
    { name: "extension type", input: bytes(0xd4, 0x01, 0x00) },
    { name: "random bytes", input: bytes(0xc1, 0xff, 0x00, 0x13, 0x37) },
  ];
  for (const { name, input } of cases) {
    let error: unknown = null;
    try {
      decodeMessage(input);
    } catch (e) {
      error = e;
    }
    assert(syntaxError(/^Invalid msgpack/)(error), `${name}: want SyntaxError, got ${error}`);
  }
});

Deno.test("decodeMessage() rejects trailing bytes after one value", () => {
  const value = encodeMessage({ v: 1, id: 1, op: "ping" });
  const cases = [withBody(value, bytes(0x00)), withBody(value, value), bytes(0x01, 0x02)];
  for (const input of cases) {
    assertThrows(() => decodeMessage(input), syntaxError(/Extra/));
  }
});

Deno.test("decodeMessage() refuses a map key __proto__ instead of changing the prototype", () => {
  const key = new TextEncoder().encode("__proto__");
  const input = bytes(0x81, 0xa0 | key.length, ...key, 0x81, 0xa1, 0x61, 0x01);
  assertThrows(() => decodeMessage(input), syntaxError(/__proto__/));
});

Deno.test("decodeMessage() accepts nesting of exactly MAX_DEPTH levels", () => {
  let want: unknown = null;
  for (let i = 0; i < MAX_DEPTH; i++) want = [want];
  assertEquals(decodeMessage(nestedArrays(MAX_DEPTH)), want);
  // Maps count as levels too.
  let map: unknown = 1;
  for (let i = 0; i < MAX_DEPTH; i++) map = { k: map };
  assertEquals(decodeMessage(encodeMessage(map)), map);
});

Deno.test("decodeMessage() rejects nesting deeper than MAX_DEPTH", () => {
  for (const levels of [MAX_DEPTH + 1, MAX_DEPTH + 2, 100_000]) {
    assertThrows(() => decodeMessage(nestedArrays(levels)), syntaxError(/nesting exceeds/));
  }
  let map: unknown = 1;
  for (let i = 0; i < MAX_DEPTH + 1; i++) map = { k: map };
  assertThrows(() => decodeMessage(encodeMessage(map)), syntaxError(/nesting exceeds/));
});

Deno.test("decodeMessage() accepts a string and a binary of exactly MAX_STRING_BYTES", () => {
  const text = decodeMessage(
    withBody(header32(0xdb, MAX_STRING_BYTES), new Uint8Array(MAX_STRING_BYTES).fill(0x61)),
  );
  assert(typeof text === "string" && text.length === MAX_STRING_BYTES, "string not decoded");
  const bin = decodeMessage(
    withBody(header32(0xc6, MAX_STRING_BYTES), new Uint8Array(MAX_STRING_BYTES)),
  );
  assert(bin instanceof Uint8Array && bin.length === MAX_STRING_BYTES, "binary not decoded");
});

Deno.test("decodeMessage() rejects a string or binary one byte over MAX_STRING_BYTES", () => {
  for (const type of [0xdb, 0xc6]) {
    const input = withBody(
      header32(type, MAX_STRING_BYTES + 1),
      new Uint8Array(MAX_STRING_BYTES + 1).fill(0x61),
    );
    assertThrows(() => decodeMessage(input), syntaxError(/exceeds/));
  }
});

Deno.test("decodeMessage() accepts an array of exactly MAX_COLLECTION_LENGTH elements", () => {
  const input = withBody(
    header32(0xdd, MAX_COLLECTION_LENGTH),
    new Uint8Array(MAX_COLLECTION_LENGTH).fill(0xc0),
  );
  const value = decodeMessage(input);
  assert(Array.isArray(value) && value.length === MAX_COLLECTION_LENGTH, "array not decoded");
});

Deno.test("decodeMessage() rejects an array or map over MAX_COLLECTION_LENGTH", () => {
  const array = withBody(
    header32(0xdd, MAX_COLLECTION_LENGTH + 1),
    new Uint8Array(MAX_COLLECTION_LENGTH + 1).fill(0xc0),
  );
  assertThrows(() => decodeMessage(array), syntaxError(/exceeds/));
  // The length alone must be refused: no body is needed for the decoder to say no.
  const map = header32(0xdf, MAX_COLLECTION_LENGTH + 1);
  const error = assertThrows(() => decodeMessage(map), syntaxError()) as SyntaxError;
  assertMatch(error.message, /exceeds/);
});

Deno.test("decodeMessage() rejects an empty array or map one level past MAX_DEPTH", () => {
  let inner: unknown = [];
  for (let i = 0; i < MAX_DEPTH; i++) inner = [inner];
  assertThrows(() => decodeMessage(encodeMessage(inner)), syntaxError(/nesting exceeds/));
});

Deno.test("decodeMessage() refuses 16 MiB of 0x91 from its first levels (#16.3)", () => {
  const input = new Uint8Array(16 * 1024 * 1024).fill(0x91);
  const error = assertThrows(() => decodeMessage(input), syntaxError()) as SyntaxError;
  assertMatch(
    error.message,
    new RegExp(`nesting exceeds ${MAX_DEPTH} levels \\(at byte ${MAX_DEPTH + 1}\\)`),
  );
});

Deno.test("decodeMessage() with REQUEST_LIMITS counts every value of the message", () => {
  // MAX_REQUEST_VALUES nils in arrays of 1000, inside one outer array: one value too many.
  const inner = 1000;
  const outer = MAX_REQUEST_VALUES / inner;
  const chunk = withBody(bytes(0xdc, inner >> 8, inner & 0xff), new Uint8Array(inner).fill(0xc0));
  const body = new Uint8Array(chunk.length * outer);
  for (let i = 0; i < outer; i++) body.set(chunk, i * chunk.length);
  const input = withBody(header32(0xdd, outer), body);
  assertThrows(
    () => decodeMessage(input, REQUEST_LIMITS),
    syntaxError(new RegExp(`more than ${MAX_REQUEST_VALUES} values`)),
  );
  // The default limits only bound each collection, so the same bytes decode.
  const value = decodeMessage(input) as unknown[][];
  assertEquals(value.length, outer);
});

Deno.test("decodeMessage() refuses lengths running past the end before allocating", () => {
  const cases: Array<[string, Uint8Array]> = [
    ["float64 with 3 bytes", bytes(0xcb, 1, 2, 3)],
    ["uint32 with 1 byte", bytes(0xce, 1)],
    ["str32 header cut", bytes(0xdb, 0, 0)],
    ["bin8 longer than the rest", bytes(0xc4, 10, 1, 2)],
    ["array16 of 3 with 2 elements", bytes(0xdc, 0, 3, 1, 2)],
    ["map of 1 with a key only", bytes(0x81, 0xa1, 0x61)],
  ];
  for (const [name, input] of cases) {
    let error: unknown = null;
    try {
      decodeMessage(input);
    } catch (e) {
      error = e;
    }
    assert(syntaxError(/^Invalid msgpack/)(error), `${name}: want SyntaxError, got ${error}`);
  }
});

Deno.test("decodeMessage() on random bytes either decodes or throws SyntaxError", () => {
  let state = 0x16;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 24;
  };
  for (let round = 0; round < 2000; round++) {
    const input = Uint8Array.from({ length: 1 + (round % 40) }, next);
    try {
      decodeMessage(input, REQUEST_LIMITS);
    } catch (error) {
      assert(error instanceof SyntaxError, `round ${round}: ${error}`);
    }
  }
});
