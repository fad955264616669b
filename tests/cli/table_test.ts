/** Table columns line up by terminal columns: CJK and emoji names take two per character. */
import { assertEquals } from "../_helpers/assert.ts";
import { renderTable } from "../../cli/render/table.ts";
import { displayWidth } from "../../cli/render/unicode_width.ts";
import { asciiMeasure, measureFor } from "../../cli/render/width.ts";

/** The terminal column where `needle` starts on each line. */
function columnsOf(table: string, needle: string): number[] {
  return table.split("\n").map((line) => displayWidth(line.slice(0, line.indexOf(needle))));
}

Deno.test("displayWidth() counts wide characters as two, joiners and ANSI codes as none", () => {
  assertEquals(displayWidth("plain"), 5);
  assertEquals(displayWidth("日本語"), 6);
  assertEquals(displayWidth("🚀x"), 3);
  assertEquals(displayWidth("👩‍💻"), 2); // one emoji of three code points joined by U+200D
  assertEquals(displayWidth("e\u0301"), 1); // e and a combining acute accent
  assertEquals(displayWidth("\x1b[32monline\x1b[0m"), 6);
});

Deno.test("renderTable() aligns the column after names in any script", async () => {
  const names = ["日本語サービス", "🚀rocket", "café", "plain", "👩‍💻dev"];
  const table = renderTable(
    ["name", "pid"],
    names.map((name, i) => [name, `#${i}`]),
    { measure: await measureFor(names) },
  );
  const starts = columnsOf(table, "#").slice(1);
  assertEquals(starts, names.map(() => displayWidth("日本語サービス") + 2));
  // The header's second column starts where the cells' do.
  assertEquals(displayWidth(table.split("\n")[0]!.split("pid")[0]!), starts[0]);
});

Deno.test("renderTable() right-aligns by columns, with colours", () => {
  const table = renderTable(["n", "w"], [["\x1b[31m日本\x1b[0m", "x"], ["ab", "y"]], {
    rightAlign: [0],
    measure: displayWidth,
  });
  assertEquals(table.split("\n").map((line) => displayWidth(line)), [7, 7, 7]);
});

Deno.test("measureFor() counts ASCII itself and loads string-width only for other text", async () => {
  assertEquals(await measureFor(["api", "\x1b[32monline\x1b[0m", "worker-2"]), asciiMeasure);
  assertEquals(await measureFor(["api", "日本"]), displayWidth);
  assertEquals(asciiMeasure("\x1b[31mred\x1b[0m"), 3);
});
