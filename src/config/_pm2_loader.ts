/**
 * The program that evaluates a JavaScript ecosystem file in a subprocess, kept as source text
 * so that it also works from the bundled CLI (no file next to the bundle to run). It prints
 * the exported value as JSON after a marker line, since the file itself may print to stdout,
 * and exits at once so timers the file starts cannot keep it alive.
 */

/** Marks the start of the loader's JSON result on its stdout. */
export const RESULT_MARKER = "\n@@adasa-ecosystem-result@@";

/** JavaScript run as `deno run ... <data: URL> <absolute file>`. */
export const PM2_LOADER_SOURCE = `
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
const file = Deno.args[0];
const where = (error) => {
  const stack = String(error && error.stack || "");
  const hit = stack.split("\\n").find((l) => l.includes(pathToFileURL(file).href));
  const m = hit && /:(\\d+):\\d+\\)?$/.exec(hit);
  return m ? Number(m[1]) : null;
};
let result;
try {
  let value;
  if (file.endsWith(".mjs")) {
    value = (await import(pathToFileURL(file).href)).default;
  } else {
    value = createRequire(file)(file);
    if (value && value.__esModule && "default" in value) value = value.default;
  }
  result = { ok: true, json: JSON.stringify(value === undefined ? null : value) };
} catch (error) {
  result = { ok: false, error: String(error).split("\\n")[0], line: where(error) };
}
const bytes = new TextEncoder().encode(${JSON.stringify(RESULT_MARKER)} + JSON.stringify(result));
for (let n = 0; n < bytes.length;) n += await Deno.stdout.write(bytes.subarray(n));
Deno.exit(0);
`;
