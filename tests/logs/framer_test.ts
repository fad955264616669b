import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { ByteSink } from "../../src/logs/byte_sink.ts";
import { LINE_RECORDS_MAX, MAX_LINE_BYTES } from "../../src/logs/format.ts";
import { LineFramer } from "../../src/logs/framer.ts";
import { decodeRecords } from "../fixtures/logs/helpers.ts";

const T = Date.UTC(2025, 5, 1, 12, 0, 0, 123);
const enc = (s: string) => new TextEncoder().encode(s);

function frame(chunks: Array<string | Uint8Array>, options: { maxLineBytes?: number } = {}) {
  const framer = new LineFramer(7, "err", options);
  const sink = new ByteSink(16);
  chunks.forEach((c, i) => framer.push(typeof c === "string" ? enc(c) : c, T + i, sink));
  framer.end(T + 99, sink);
  return { bytes: sink.view(), lines: decodeRecords(sink.view()) };
}

Deno.test("LineFramer joins a line written in several chunks", () => {
  const { lines } = frame(["hel", "lo wo", "rld\nsecond", "\n"]);
  assertEquals(lines.map((l) => [l.text, l.kind, l.id, l.stream]), [
    ["hello world", "line", 7, "err"],
    ["second", "line", 7, "err"],
  ]);
  // A line's time is the capture time of the chunk that completed it.
  assertEquals(lines.map((l) => l.time), [T + 2, T + 3]);
});

Deno.test("LineFramer writes readable line records: time, id, stream, text", () => {
  const { bytes } = frame(["boom\n"]);
  assertEquals(new TextDecoder().decode(bytes), "2025-06-01T12:00:00.123Z 7 err boom\n");
});

Deno.test("LineFramer flushes the unterminated last line when the stream ends", () => {
  const { lines } = frame(["a\nno newline at the end"]);
  assertEquals(lines.map((l) => [l.text, l.time]), [["a", T], ["no newline at the end", T + 99]]);
});

Deno.test("LineFramer writes a chunk of many lines as one block", () => {
  const many = Array.from({ length: LINE_RECORDS_MAX + 1 }, (_, i) => `line ${i}\n`).join("");
  const { bytes, lines } = frame([many, "", "\n"]);
  assertEquals(lines.map((l) => l.text), [...many.split("\n").slice(0, -1), ""]);
  assertEquals(lines[0]!.kind, "block");
  assertEquals(
    new TextDecoder().decode(bytes).split("\n")[0],
    `2025-06-01T12:00:00.123Z 7 err* ${many.length}`,
  );
});

Deno.test("LineFramer splits a line longer than the limit with the + marker", () => {
  const max = 10;
  const cases: Array<[string[], string[]]> = [
    [["a".repeat(25) + "\n"], ["a".repeat(10), "a".repeat(10), "a".repeat(5)]],
    [["b".repeat(7), "b".repeat(7), "b".repeat(7) + "\nok\n"], [
      "b".repeat(10),
      "b".repeat(10),
      "b",
      "ok",
    ]],
    [["c".repeat(10) + "\n"], ["c".repeat(10)]],
    [["x\n" + "d".repeat(23) + "\ny\n"], ["x", "d".repeat(10), "d".repeat(10), "ddd", "y"]],
    [["e".repeat(31)], ["e".repeat(10), "e".repeat(10), "e".repeat(10), "e"]],
  ];
  for (const [chunks, want] of cases) {
    const { lines } = frame(chunks, { maxLineBytes: max });
    assertEquals(lines.map((l) => l.text), want);
    const kinds = lines.map((l) => l.kind);
    const pieces = want.length - (chunks.join("").match(/\n/g)?.length ?? 1);
    assertEquals(
      kinds.filter((k) => k === "fragment").length,
      Math.max(pieces, 0),
      JSON.stringify(chunks),
    );
  }
});

Deno.test("LineFramer default limit keeps a 64 KiB line whole and splits one byte more", () => {
  const whole = "w".repeat(MAX_LINE_BYTES);
  assertEquals(frame([whole + "\n"]).lines.map((l) => l.kind), ["line"]);
  const split = frame([whole.slice(0, 1000), whole + "\n"]).lines;
  assertEquals(split.map((l) => [l.text.length, l.kind]), [[MAX_LINE_BYTES, "fragment"], [
    1000,
    "line",
  ]]);
});

Deno.test("LineFramer passes NUL, invalid UTF-8 and ANSI codes through as bytes", () => {
  const raw = new Uint8Array([0x00, 0xff, 0xfe, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x41, 0xc3, 0x0a]);
  const { bytes, lines } = frame([raw.subarray(0, 4), raw.subarray(4)]);
  assertEquals(bytes.subarray(bytes.length - raw.length), raw);
  assertEquals(lines[0]!.text, "\0\ufffd\ufffd\x1b[31mA\ufffd");
});
