/**
 * A plain text table: pure, data in, string out. Widths are terminal columns (wide CJK
 * characters and emoji count two, ANSI codes none), so names in any script line up.
 */
import type { Measure } from "./width.ts";

/** Renders rows under headers, left-aligned, columns separated by two spaces. */
export function renderTable(
  headers: string[],
  rows: string[][],
  options: { rightAlign?: number[]; measure: Measure },
): string {
  const widths = headers.map((h, i) =>
    Math.max(options.measure(h), ...rows.map((r) => options.measure(r[i] ?? "")))
  );
  const right = new Set(options.rightAlign ?? []);
  const line = (cells: string[]) =>
    cells.map((cell, i) => {
      const pad = " ".repeat(Math.max(0, widths[i]! - options.measure(cell)));
      if (i === cells.length - 1 && !right.has(i)) return cell;
      return right.has(i) ? pad + cell : cell + pad;
    }).join("  ");
  return [line(headers), ...rows.map(line)].join("\n");
}
