/**
 * The program that evaluates a JavaScript ecosystem file in a subprocess, kept as source text
 * so that it also works from the bundled CLI (no file next to the bundle to run). It loads the
 * file as Node would (require for CommonJS, import for ESM, node_modules beside the file),
 * then prints a one-line header and the exported value as JSON after a marker line, since the
 * file itself may print to stdout, and exits at once so timers the file starts cannot keep it
 * alive.
 */

/** Marks the start of the loader's result on its stdout (JSON escapes newlines, so no value holds it). */
export const RESULT_MARKER = "\n@@adasa-ecosystem-result@@";

/** The loader's header line: the value follows on the next line when `ok`. */
export type LoaderHeader =
  | { ok: true }
  | { ok: false; error: string; at: { line: number; column: number } | null };

/** JavaScript run as `deno run ... <data: URL> <absolute file> <byte limit of the value>`. */
export const PM2_LOADER_SOURCE = `
import { readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
const [file, limitText] = Deno.args;
const limit = Number(limitText);
const href = pathToFileURL(file).href;
const plain = (text) => String(text).replace(/\\x1b\\[[0-9;]*m/g, "");
const place = (error) => {
  const stack = plain(error && error.stack || "");
  const at = stack.indexOf(href + ":");
  const m = at < 0 ? null : /^:(\\d+):(\\d+)/.exec(stack.slice(at + href.length));
  return m ? { line: Number(m[1]), column: Number(m[2]) } : null;
};
const firstLine = (error) =>
  plain(error instanceof Error ? \`\${error.name}: \${error.message}\` : String(error))
    .split("\\n")[0].replace(/^(?:TypeError: )?(?:SyntaxError: )+/, "SyntaxError: ");
// An ES module's value: its default export, unless it names the apps itself (export const apps).
const moduleValue = (ns) => {
  const named = Object.keys(ns).filter((k) => k !== "default" && k !== "__esModule");
  const own = named.some((k) => ["apps", "pm2", "processes", "script", "name"].includes(k));
  if ("default" in ns && !own) return ns.default;
  return Object.fromEntries(named.map((k) => [k, ns[k]]));
};
// Node's rule: .mjs and .cjs by name; a .js by the nearest package.json's "type", else by
// its syntax. ES modules go through import(), whose reads Deno checks, never require(): Deno
// loads an ES module's imports for require() without checking them against --deny-read.
const packageType = (path) => {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    try {
      return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).type ?? null;
    } catch {
      // No readable package.json here: look one folder up, as Node does.
      if (dirname(dir) === dir) return null;
    }
  }
};
const parsesAsScript = (path) => {
  try {
    new Function(readFileSync(path, "utf8").replace(/^#!.*/, ""));
    return true;
  } catch (error) {
    return !(error instanceof SyntaxError);
  }
};
const isModule = (path) => {
  if (path.endsWith(".mjs")) return true;
  if (!path.endsWith(".js")) return false;
  const type = packageType(path);
  return type === "module" || (type !== "commonjs" && !parsesAsScript(path));
};
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const resolved = Module._resolveFilename(request, parent, isMain);
  if (typeof resolved === "string" && resolved.startsWith("/") && isModule(resolved)) {
    throw new Error(\`require() of the ES module \${resolved} is not allowed here; use import\`);
  }
  return load.apply(this, arguments);
};
const evaluate = async () => {
  if (isModule(file)) return moduleValue(await import(href));
  let value;
  try {
    value = createRequire(file)(file);
  } catch (error) {
    if (!["ERR_REQUIRE_ESM", "ERR_REQUIRE_ASYNC_MODULE"].includes(error && error.code)) throw error;
    return moduleValue(await import(href));
  }
  const namespace = Object.prototype.toString.call(value) === "[object Module]";
  return value && typeof value === "object" && (value.__esModule || namespace) ? moduleValue(value) : value;
};
let header;
let body = new Uint8Array();
try {
  const value = await evaluate();
  body = new TextEncoder().encode(JSON.stringify(value === undefined ? null : value));
  header = body.length <= limit
    ? { ok: true }
    : { ok: false, error: \`the exported value is \${body.length} bytes as JSON, over the limit of \${limit}\`, at: null };
} catch (error) {
  header = { ok: false, error: firstLine(error), at: place(error) };
}
const head = new TextEncoder().encode(${
  JSON.stringify(RESULT_MARKER)
} + JSON.stringify(header) + "\\n");
for (const bytes of header.ok ? [head, body] : [head]) {
  for (let n = 0; n < bytes.length;) n += await Deno.stdout.write(bytes.subarray(n));
}
Deno.exit(0);
`;
