/**
 * The module boundaries of STYLE.md 3.2, checked on every file's imports: a forbidden edge
 * fails here, not in review. Each third-party library is imported in exactly one file.
 */
import { assert, assertEquals } from "./_helpers/assert.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** Which project folders each module may import (its own folder is always allowed). */
const ALLOWED: Record<string, readonly string[]> = {
  "src/model": [],
  "src/protocol": ["src/model"],
  "src/ipc": ["src/protocol", "src/model"],
  "cli": ["src/protocol", "src/model", "src/ipc/client.ts", "src/ipc/paths.ts"],
  "src/supervisor": ["src/protocol", "src/model", "src/logger.ts"],
  "src/monitor": ["src/protocol", "src/model", "src/logger.ts"],
  "src/logs": ["src/protocol", "src/model", "src/logger.ts"],
  "src/store": ["src/protocol", "src/model"],
  "src/config": ["src/protocol", "src/model"],
  "src/daemon": ["src"],
  "src/web": ["src/protocol", "src/model", "src/ipc/server.ts", "src/logger.ts"],
  "src/logger.ts": [],
};

/** The one file allowed to import each third-party package. */
const LIBRARY_HOMES: Record<string, string> = {
  "@msgpack/msgpack": "src/protocol/codec.ts",
  "@logtape/logtape": "src/logger.ts",
  "smol-toml": "src/config/json_toml.ts",
  "json5": "src/config/json_toml.ts",
  "yaml": "src/config/yaml.ts",
  "croner": "src/model/cron.ts",
  "picomatch": "src/daemon/watch_ignore.ts",
  "string-width": "cli/render/unicode_width.ts",
  "dayjs": "src/logs/date_format.ts",
  "leven": "cli/suggest.ts",
  "uplot/dist/uPlot.esm.js": "src/web/assets.ts",
  "uplot/dist/uPlot.min.css": "src/web/assets.ts",
};

/**
 * src/protocol is the wire only: frames, codec, envelopes and records, the map of ops, argument
 * checks, errors and versions. Times, sizes, settings and the dependency graph are src/model.
 */
const WIRE_FILES = [
  "_scan.ts",
  "codec.ts",
  "errors.ts",
  "frame.ts",
  "messages.ts",
  "mod.ts",
  "op_args.ts",
  "ops.ts",
  "validate.ts",
  "version.ts",
];
/** Adapters of src/model's settings schema to wire errors (AdasaError), not settings of their own. */
const SETTINGS_FILES_TO_MOVE = ["app_spec.ts", "checks.ts"];

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(`${ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sourceFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

function importsOf(file: string): string[] {
  const text = Deno.readTextFileSync(`${ROOT}${file}`);
  const found: string[] = [];
  const patterns = [
    /(?:import|export)[^"';]*?\sfrom\s+["']([^"']+)["']/g, // import x from "…", export … from "…"
    /import\s+["']([^"']+)["']/g, // import "…" (side effects only)
    /import\(\s*["']([^"']+)["']\s*\)/g, // import("…")
  ];
  for (const pattern of patterns) {
    for (const m of text.matchAll(pattern)) found.push(m[1]!);
  }
  return found;
}

function moduleOf(file: string): string {
  const key = Object.keys(ALLOWED)
    .filter((k) => file === k || file.startsWith(`${k}/`))
    .sort((a, b) => b.length - a.length)[0];
  return key ?? file;
}

function resolve(from: string, spec: string): string {
  const parts = `${from.slice(0, from.lastIndexOf("/"))}/${spec}`.split("/");
  const out: string[] = [];
  for (const part of parts) {
    if (part === "..") out.pop();
    else if (part !== "." && part !== "") out.push(part);
  }
  return out.join("/");
}

Deno.test("every import stays inside the module boundaries", () => {
  const violations: string[] = [];
  for (const top of ["src", "cli"]) {
    for (const file of sourceFiles(top)) {
      const owner = moduleOf(file);
      for (const spec of importsOf(file)) {
        if (!spec.startsWith(".")) continue;
        const target = resolve(file, spec);
        if (moduleOf(target) === owner) continue;
        const allowed = ALLOWED[owner] ?? [];
        if (!allowed.some((a) => target === a || target.startsWith(`${a}/`))) {
          violations.push(`${file} imports ${target}`);
        }
      }
    }
  }
  assertEquals(violations, []);
});

Deno.test("each third-party library is imported in exactly one file", () => {
  const seen: Record<string, string[]> = {};
  for (const top of ["src", "cli"]) {
    for (const file of sourceFiles(top)) {
      for (const spec of importsOf(file)) {
        if (spec.startsWith(".") || spec.startsWith("node:")) continue;
        (seen[spec] ??= []).push(file);
      }
    }
  }
  for (const [lib, files] of Object.entries(seen)) {
    assertEquals(files, [LIBRARY_HOMES[lib] ?? `(no home for ${lib})`], lib);
  }
});

Deno.test("src/protocol holds only the wire", () => {
  const extra = [...Deno.readDirSync(`${ROOT}src/protocol`)]
    .map((entry) => entry.name)
    .filter((name) => !WIRE_FILES.includes(name) && !SETTINGS_FILES_TO_MOVE.includes(name));
  assertEquals(extra, []);
});

/** Files reached from `file` by value imports (`import type` and `import()` left out). */
function staticClosure(file: string): Set<string> {
  const seen = new Set<string>();
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    const text = Deno.readTextFileSync(`${ROOT}${f}`);
    for (
      const m of text.matchAll(/(?:import|export)(?!\s+type\s)[^"';]*?\sfrom\s+["']([^"']+)["']/g)
    ) {
      if (m[1]!.startsWith(".")) visit(resolve(f, m[1]!));
    }
  };
  visit(file);
  return seen;
}

Deno.test("the full-screen monit is loaded only by a dynamic import, when monit runs on a terminal", () => {
  const tui = ["cli/commands/_monit_tui.ts", "cli/render/monit_screen.ts"];
  for (const entry of ["cli/main.ts", "cli/commands/mod.ts", "cli/commands/monit.ts"]) {
    const reached = staticClosure(entry);
    assertEquals(tui.filter((f) => reached.has(f)), [], `${entry} loads the TUI eagerly`);
  }
  assert(
    Deno.readTextFileSync(`${ROOT}cli/commands/monit.ts`).includes('import("./_monit_tui.ts")'),
    "monit.ts imports the TUI lazily",
  );
});
