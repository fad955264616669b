import { strictEqual, throws } from "node:assert/strict";
import { InvalidValue } from "../../src/model/invalid.ts";
import { parseTimeSpec } from "../../src/model/time.ts";

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const local = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => {
  return new Date(y, mo - 1, d, h, mi, s).getTime();
};

Deno.test("parseTimeSpec() reads relative times before now", () => {
  const cases: Array<[string, number]> = [
    ["now", NOW],
    ["90s", NOW - 90_000],
    ["10m", NOW - 600_000],
    ["6h", NOW - 6 * 3_600_000],
    ["2d", NOW - 2 * 86_400_000],
    ["1w", NOW - 7 * 86_400_000],
    ["1h30m", NOW - 5_400_000],
    ["500ms", NOW - 500],
    ["-10m", NOW - 600_000],
    ["10m ago", NOW - 600_000],
    [" 6H ", NOW - 6 * 3_600_000],
  ];
  for (const [text, want] of cases) strictEqual(parseTimeSpec(text, NOW), want, text);
});

Deno.test("parseTimeSpec() reads ISO 8601 with a zone as that zone and without as local", () => {
  const cases: Array<[string, number]> = [
    ["2026-11-27T03:00:00Z", Date.UTC(2026, 10, 27, 3)],
    ["2026-11-27T03:00:00.250Z", Date.UTC(2026, 10, 27, 3, 0, 0, 250)],
    ["2026-11-27T03:00:00+02:00", Date.UTC(2026, 10, 27, 1)],
    ["2026-11-27T03:00-0530", Date.UTC(2026, 10, 27, 8, 30)],
    ["2026-11-27t03:00z", Date.UTC(2026, 10, 27, 3)],
    ["2026-11-27T03:00:00", local(2026, 11, 27, 3)],
    ["2026-11-27 03:00", local(2026, 11, 27, 3)],
    ["2026-11-27 03:00:15", local(2026, 11, 27, 3, 0, 15)],
    ["2026-11-27", local(2026, 11, 27)],
    ["2024-02-29", local(2024, 2, 29)],
  ];
  for (const [text, want] of cases) strictEqual(parseTimeSpec(text, NOW), want, text);
});

Deno.test("parseTimeSpec() reads HH:MM as today, local", () => {
  const today = new Date(NOW);
  const day = [today.getFullYear(), today.getMonth() + 1, today.getDate()] as const;
  strictEqual(parseTimeSpec("03:00", NOW), local(...day, 3, 0));
  strictEqual(parseTimeSpec("23:59:30", NOW), local(...day, 23, 59, 30));
});

Deno.test("parseTimeSpec() rejects anything else with one line naming the text", () => {
  const bad = [
    "",
    "yesterday-ish",
    "10",
    "10x",
    "m10",
    "25:00",
    "12:60",
    "2026-13-01",
    "2026-02-30",
    "2025-02-29",
    "2026-11-27T24:00",
    "2026-11-27Z",
    "2026-11-27T03:00+25:00",
    "1969-12-31",
    "3 hours",
  ];
  for (const text of bad) {
    throws(() => parseTimeSpec(text, NOW), (e: unknown) => {
      return e instanceof InvalidValue &&
        e.message ===
          `Invalid time "${text}": use 90s, 10m, 6h, 2d, HH:MM, YYYY-MM-DD HH:MM or ISO 8601`;
    }, text);
  }
});
