/**
 * What every `adasa` command evaluates before it runs: the static, value imports of cli/main.ts.
 * Start-up is a feature (#14): the settings table, start's flags and the help texts load only
 * for the commands that use them, and msgpack is the one library on the path.
 */
import { assertEquals } from "../_helpers/assert.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The specifiers a file imports for values at load time (no `import type`, no `import()`). */
function staticImports(text: string): string[] {
  const found: string[] = [];
  const pattern = /^(?:import|export)\s+(type\s+)?([^"';]*?)\s*from\s+["']([^"']+)["']/gm;
  for (const [, typeOnly, clause, spec] of text.matchAll(pattern)) {
    if (typeOnly) continue;
    const names = /^\{([^}]*)\}$/.exec(clause!.trim())?.[1]?.split(",").map((n) => n.trim());
    if (names && names.filter(Boolean).every((n) => n.startsWith("type "))) continue;
    found.push(spec!);
  }
  for (const [, spec] of text.matchAll(/^import\s+["']([^"']+)["']/gm)) found.push(spec!);
  return found;
}

function staticGraph(entry: string): { files: string[]; libraries: string[] } {
  const files = new Set<string>();
  const libraries = new Set<string>();
  const visit = (url: URL) => {
    const path = url.pathname.slice(ROOT.length);
    if (files.has(path)) return;
    files.add(path);
    for (const spec of staticImports(Deno.readTextFileSync(url))) {
      if (spec.startsWith(".")) visit(new URL(spec, url));
      else libraries.add(spec);
    }
  };
  visit(new URL(entry, `file://${ROOT}`));
  return { files: [...files].sort(), libraries: [...libraries].sort() };
}

Deno.test("the parser of static imports sees values and skips types", () => {
  const text = [
    'import { a, type B } from "./a.ts";',
    'import type { C } from "./c.ts";',
    'import { type D, type E } from "./d.ts";',
    'export * from "./f.ts";',
    'import "./g.ts";',
    'const lazy = () => import("./h.ts");',
  ].join("\n");
  assertEquals(staticImports(text), ["./a.ts", "./f.ts", "./g.ts"]);
});

Deno.test("every command loads no settings table, no help and one library before it runs", () => {
  const { files, libraries } = staticGraph("cli/main.ts");
  const heavy = files.filter((f) =>
    f.startsWith("src/model/settings.ts") || f.startsWith("src/model/values.ts") ||
    f === "cli/help.ts" || f === "cli/commands/_start_flags.ts" || f.startsWith("cli/render/") &&
      f !== "cli/render/io.ts"
  );
  assertEquals(heavy, []);
  assertEquals(libraries, ["@msgpack/msgpack"]);
});
