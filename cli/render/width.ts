/**
 * Columns a cell takes on a terminal. Printable ASCII (most names, every figure) is one column a
 * character; anything else is measured by string-width (unicode_width.ts), whose grapheme
 * segmenter and emoji expressions cost tens of milliseconds to set up, so it is loaded only when
 * some text needs it and `adasa ping` or an ASCII `list` never pays for it.
 */

/** Terminal columns of a cell, colour codes excluded. */
export type Measure = (text: string) => number;

// deno-lint-ignore no-control-regex
const COLOUR = /\x1b\[[0-9;]*m/g;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** One column a character, colour codes excluded: right for printable ASCII only. */
export const asciiMeasure: Measure = (text) => text.replace(COLOUR, "").length;

/** A measure right for every text of `texts`: ASCII counting when it suffices. */
export async function measureFor(texts: Iterable<string>): Promise<Measure> {
  for (const text of texts) {
    if (!PRINTABLE_ASCII.test(text.replace(COLOUR, ""))) return await unicodeMeasure();
  }
  return asciiMeasure;
}

/** string-width's measure, right for any text. */
export async function unicodeMeasure(): Promise<Measure> {
  return (await import("./unicode_width.ts")).displayWidth;
}
