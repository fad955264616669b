import { strictEqual } from "node:assert/strict";
import { formatPercent, formatSize } from "../../src/model/units.ts";
import { UNITS_JS } from "../../src/web/assets.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

const SIZES: Array<[number | null, string]> = [
  [0, "0B"],
  [512, "512B"],
  [1536, "1.5KiB"],
  [47_833_088, "45.6MiB"],
  [300 * 2 ** 20, "300.0MiB"],
  [1.25 * 2 ** 30, "1.3GiB"],
  [-2048, "-2.0KiB"],
  [null, "-"],
  [NaN, "-"],
];

const PERCENTS: Array<[number | null, string]> = [
  [0, "0.0%"],
  [0.34, "0.3%"],
  [12.55, "12.6%"],
  [230.4, "230%"],
  [null, "-"],
  [NaN, "-"],
];

Deno.test("formatSize() writes IEC units: 47,833,088 bytes is 45.6MiB", () => {
  for (const [bytes, want] of SIZES) strictEqual(formatSize(bytes), want, String(bytes));
});

Deno.test("formatPercent() keeps one decimal below 100", () => {
  for (const [value, want] of PERCENTS) strictEqual(formatPercent(value), want, String(value));
});

Deno.test("the web page's /units.js is the same formatters, loadable as JavaScript", async () => {
  const url = `data:text/javascript;base64,${btoa(UNITS_JS)}`;
  const units = await import(url);
  for (const [bytes, want] of SIZES) strictEqual(units.formatSize(bytes), want, String(bytes));
  for (const [value, want] of PERCENTS) {
    strictEqual(units.formatPercent(value), want, String(value));
  }
});

function* sources(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(`${ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sources(path);
    else if (/\.(ts|js)$/.test(entry.name)) yield path;
  }
}

Deno.test("no file but src/model/units.ts spells out size units or formats a percent", () => {
  // A unit name as a string of its own ("MB", 'KiB') is a formatter's table; `toFixed(1)}%`
  // is a percent formatted by hand.
  const own = [/["'`](?:B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)["'`]/, /toFixed\(\d\)\}?%/];
  const found: string[] = [];
  for (const dir of ["cli", "src"]) {
    for (const file of sources(dir)) {
      if (file === "src/model/units.ts") continue;
      const text = Deno.readTextFileSync(`${ROOT}${file}`);
      for (const pattern of own) if (pattern.test(text)) found.push(`${file}: ${pattern}`);
    }
  }
  strictEqual(found.join("\n"), "");
});
