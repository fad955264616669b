/** The engine exports' pure parts: the settings map, the warnings derived from it, cron forms. */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { hasTool } from "../_helpers/engines.ts";
import { SETTINGS } from "../../src/model/mod.ts";
import { normalizeAppSpec } from "../../src/protocol/mod.ts";
import { ENGINE_MAP, ENGINES, exportForEngine } from "../../src/config/engine_export.ts";
import { onCalendar } from "../../src/config/engine_systemd.ts";

const spec = (fields: Record<string, unknown>) =>
  normalizeAppSpec({ name: "api", command: "/bin/sleep", args: ["60"], cwd: "/tmp", ...fields });

Deno.test("ENGINE_MAP has a row for every setting of the settings table, and nothing else", () => {
  assertEquals(Object.keys(ENGINE_MAP).sort(), SETTINGS.map((s) => s.field).sort());
});

Deno.test("a setting left at its default is not warned about; set, it is, in the output too", () => {
  for (const engine of ENGINES) {
    assertEquals(exportForEngine([spec({})], engine).warnings, [], engine);
    const out = exportForEngine([spec({ watch: ["/tmp"], shutdown_with_message: true })], engine);
    assertEquals(out.warnings.length, 2, `${engine}: ${out.warnings.join("\n")}`);
    for (const field of ["watch", "shutdown_with_message"]) {
      assert(out.warnings.some((w) => w.includes(`app "api": ${field} has no equivalent`)));
      assert(out.files.some((f) => f.text.includes(`#   ${field}: `)), `${engine} ${field}`);
    }
  }
});

Deno.test("several instances: systemd writes a template and a target; the others warn on instance_var", () => {
  const systemd = exportForEngine([spec({ instances: 3 })], "systemd");
  assertEquals(systemd.files.map((f) => f.path), ["api@.service", "api.target"]);
  assert(systemd.files[0]!.text.includes("Environment=NODE_APP_INSTANCE=%i"));
  assert(systemd.files[1]!.text.includes("Wants=api@0.service api@1.service api@2.service"));
  for (const engine of ["compose", "kubernetes"] as const) {
    const out = exportForEngine([spec({ instances: 3 })], engine);
    assert(out.warnings.some((w) => w.includes("instance_var")), engine);
  }
});

Deno.test("systemd ExecStart quotes words and doubles $ and %", () => {
  const out = exportForEngine([spec({ args: ["a b", "$HOME", "50%"] })], "systemd");
  assert(
    out.files[0]!.text.includes('ExecStart=/bin/sleep "a b" "$$HOME" 50%%'),
    out.files[0]!.text,
  );
});

const CRONS: [string, string | null][] = [
  ["0 3 * * *", "*-*-* 3:0:0"],
  ["*/15 * * * *", "*-*-* *:0/15:0"],
  ["30 8 * * 1-5", "Mon..Fri *-*-* 8:30:0"],
  ["0 0 1 jan,jul *", "*-1,7-1 0:0:0"],
  ["*/10 * * * * *", "*-*-* *:*:0/10"],
  ["0 0 L * *", null],
];

Deno.test("onCalendar turns cron patterns into OnCalendar= forms, or null", () => {
  for (const [cron, want] of CRONS) assertEquals(onCalendar(cron), want, cron);
});

Deno.test({
  name: "systemd-analyze calendar accepts every OnCalendar= form onCalendar writes",
  ignore: !hasTool("systemd-analyze"),
  async fn() {
    const forms = CRONS.map(([, want]) => want).filter((w) => w !== null) as string[];
    const out = await new Deno.Command("systemd-analyze", { args: ["calendar", ...forms] })
      .output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  },
});

interface Graph {
  roots: string[];
  modules: {
    specifier: string;
    dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
  }[];
}

/** The modules an entry loads before running: `deno info`'s graph, dynamic imports cut off. */
function staticModules(graph: Graph): string[] {
  const bySpecifier = new Map(graph.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>(graph.roots);
  const queue = [...graph.roots];
  for (let next = queue.pop(); next; next = queue.pop()) {
    for (const dep of bySpecifier.get(next)?.dependencies ?? []) {
      const target = dep.code?.specifier;
      if (!target || dep.isDynamic || seen.has(target)) continue;
      seen.add(target);
      queue.push(target);
    }
  }
  return [...seen];
}

Deno.test("the engine exports are in neither the CLI's nor the daemon's static import graph", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  for (const entry of ["cli/main.ts", "main.ts"]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", `${root}${entry}`],
      cwd: root,
    }).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as Graph;
    const files = staticModules(graph);
    assert(files.length > 10, `${entry}: only ${files.length} modules read`);
    assertEquals(files.filter((f) => /\/src\/config\/engine_/.test(f)), [], entry);
    // ... and the daemon does reach them, on demand.
    if (entry === "main.ts") {
      assert(graph.modules.some((m) => m.specifier.endsWith("/src/config/engine_export.ts")));
    }
  }
});
