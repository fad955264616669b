/**
 * How `--grep` decides which lines to keep. Readers test a read buffer's lines as one batch, so
 * a test may run elsewhere (a user's regular expression runs in a worker with a time budget:
 * regex_worker.ts) and may reject, which ends the read with that error.
 */

/** Decides, for each text of a batch, whether the line is kept. */
export interface LineTest {
  (texts: readonly string[]): boolean[] | Promise<boolean[]>;
  /**
   * False when no line inside `text` (many lines with their record headers) can match: lets a
   * reader skip a whole buffer with one search. Absent when the test cannot tell.
   */
  within?: (text: string) => boolean;
}

/** A substring test; with `ignoreCase`, letters match in either case (Unicode lower case). */
export function substringTest(needle: string, options: { ignoreCase?: boolean } = {}): LineTest {
  if (!options.ignoreCase) {
    const test: LineTest = (texts) => texts.map((t) => t.includes(needle));
    test.within = (text) => text.includes(needle);
    return test;
  }
  const lower = needle.toLowerCase();
  const test: LineTest = (texts) => texts.map((t) => t.toLowerCase().includes(lower));
  test.within = (text) => text.toLowerCase().includes(lower);
  return test;
}

/** The batch test of a filter's grep; a RegExp runs on this thread (trusted patterns only). */
export function lineTestOf(grep: string | RegExp | LineTest | undefined): LineTest | undefined {
  if (grep === undefined || typeof grep === "function") return grep;
  if (typeof grep === "string") return substringTest(grep);
  return (texts) =>
    texts.map((t) => {
      grep.lastIndex = 0;
      return grep.test(t);
    });
}
