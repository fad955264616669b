/** `adasa export` to another engine through the real CLI: files in -o DIR, warnings, bad input. */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";

const FIXTURES = new URL("../fixtures/config_e2e/", import.meta.url).pathname;

Deno.test("export --format systemd -o DIR writes the registry's apps and warns on stderr", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-units-" });
  try {
    await using d = await startDaemon();
    const started = await d.cli(["start", "--name", "web", "--watch", "--", "sleep", "60"], {
      cwd: dir,
    });
    assertEquals(started.code, 0, started.stderr);
    const out = await d.cli(["export", "--format", "systemd", "web", "-o", `${dir}/units`]);
    assertEquals(out.code, 0, out.stderr);
    assertEquals(out.stdout.trim(), `Wrote ${dir}/units/web.service`);
    assert(out.stderr.includes('Warning: app "web": watch has no equivalent in systemd'));
    const unit = await Deno.readTextFile(`${dir}/units/web.service`);
    assert(unit.includes("#   watch: no engine restarts on file changes"), unit);
    assert(/^ExecStart=\S*sleep 60$/m.test(unit), unit);
    assertEquals(unit.match(/^WorkingDirectory=(.*)$/m)?.[1], dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("export to an engine: bad input is one line and a non-zero exit", async () => {
  await using d = await startDaemon();
  const cases: [string[], number, RegExp][] = [
    [["export", "--format", "nomad"], 2, /--format must be json, toml, systemd, compose/],
    [["export", "--format", "compose", "missing.json"], 2, /missing\.json/],
    [["export", "--format", "kubernetes", "export_source.toml", "nosuch"], 3, /No app "nosuch"/],
    [["export", "--format", "systemd", "--env", "production"], 2, /needs a config file/],
    [["export", "--format", "systemd"], 3, /No apps to export/],
  ];
  for (const [args, code, message] of cases) {
    const out = await d.cli(args, { cwd: FIXTURES });
    assertEquals(out.code, code, `${args.join(" ")}: ${out.stderr}`);
    assert(message.test(out.stderr), `${args.join(" ")}: ${out.stderr}`);
    assertEquals(out.stdout, "", args.join(" "));
  }
});

Deno.test("export --format compose FILE prints the file's apps without starting them", async () => {
  await using d = await startDaemon();
  const out = await d.cli(["export", "--format", "compose", "export_source.toml", "multi"], {
    cwd: FIXTURES,
  });
  assertEquals(out.code, 0, out.stderr);
  assert(out.stdout.includes("  multi:\n"), out.stdout);
  assert(out.stdout.includes("replicas: 3"), out.stdout);
  assert(!out.stdout.includes("limited:"), out.stdout);
  const listed = await d.cli(["jlist"]);
  assertEquals(JSON.parse(listed.stdout), []);
});
