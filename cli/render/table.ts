/** A plain text table: pure, data in, string out. Widths ignore ANSI codes. */

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

function visibleLength(text: string): number {
  return text.replace(ANSI, "").length;
}

/** Renders rows under headers, left-aligned, columns separated by two spaces. */
export function renderTable(
  headers: string[],
  rows: string[][],
  options: { rightAlign?: number[] } = {},
): string {
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? "")))
  );
  const right = new Set(options.rightAlign ?? []);
  const line = (cells: string[]) =>
    cells.map((cell, i) => {
      const pad = " ".repeat(Math.max(0, widths[i]! - visibleLength(cell)));
      if (i === cells.length - 1 && !right.has(i)) return cell;
      return right.has(i) ? pad + cell : cell + pad;
    }).join("  ");
  return [line(headers), ...rows.map(line)].join("\n");
}
