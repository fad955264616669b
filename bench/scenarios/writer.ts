/**
 * The capture scenario's program: writes <lines> numbered 100-byte lines to stdout as fast as
 * it can (`0000000001xxx…x\n`), after writing its start time (ms since the epoch) to <mark>.
 * Run: deno run --no-config --no-lock --allow-write writer.ts <lines> <mark>
 */
export const LINE_BYTES = 100;
const DIGITS = 10;
const LINES_PER_CHUNK = 10_000;

function main(): void {
  const [countText, mark] = Deno.args;
  const count = Number(countText);
  if (!Number.isSafeInteger(count) || count < 1 || !mark) {
    throw new Error("usage: writer.ts <lines> <mark file>");
  }
  Deno.writeTextFileSync(mark, String(performance.timeOrigin + performance.now()));
  const chunk = new Uint8Array(LINES_PER_CHUNK * LINE_BYTES).fill(0x78); // "x"
  for (let i = 0; i < LINES_PER_CHUNK; i++) chunk[i * LINE_BYTES + LINE_BYTES - 1] = 0x0a;
  for (let first = 1; first <= count; first += LINES_PER_CHUNK) {
    const n = Math.min(LINES_PER_CHUNK, count - first + 1);
    for (let i = 0; i < n; i++) {
      let value = first + i;
      const at = i * LINE_BYTES;
      for (let d = DIGITS - 1; d >= 0; d--) {
        chunk[at + d] = 0x30 + (value % 10);
        value = Math.floor(value / 10);
      }
    }
    const view = chunk.subarray(0, n * LINE_BYTES);
    let off = 0;
    while (off < view.length) off += Deno.stdout.writeSync(view.subarray(off));
  }
}

if (import.meta.main) main();
