/**
 * `adasa export` and `adasa import-pm2` end to end: an exported file started on a fresh home
 * yields the same definitions, and a pm2 dump becomes running apps.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { list } from "../_helpers/apps.ts";
import { type CliResult, startDaemon, type TestDaemon } from "../_helpers/daemon.ts";
import { waitFor } from "../_helpers/wait.ts";

const FIXTURES = new URL("../fixtures/config_e2e/", import.meta.url).pathname;
const APPS = ["limited", "scheduled", "multi", "flagged"];

function assertOk(result: CliResult, what: string): void {
  assertEquals(result.code, 0, `${what}: exit ${result.code}, stderr: ${result.stderr}`);
}

/** The definition `describe --json --show-env` shows, without the machine's base_env. */
async function specOf(daemon: TestDaemon, name: string): Promise<Record<string, unknown>> {
  const result = await daemon.cli(["describe", name, "--json", "--show-env"]);
  assertOk(result, `describe ${name}`);
  const { base_env: _machine, ...spec } =
    (JSON.parse(result.stdout) as Array<{ spec: Record<string, unknown> }>)[0]!.spec;
  return spec;
}

async function specsOf(daemon: TestDaemon): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const name of APPS) out[name] = await specOf(daemon, name);
  return out;
}

Deno.test("export --format json and toml, started on a fresh home, reproduce the same app definitions", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-export-" });
  try {
    await using source = await startDaemon();
    assertOk(await source.cli(["start", "export_source.toml"], { cwd: FIXTURES }), "start file");
    const flagged = await source.cli(
      ["start", "--name", "flagged", "--instances", "2", "--max-memory", "100M", "--env", "K=V"]
        .concat(["--stop-signal", "SIGUSR2", "sleep", "--", "60"]),
      { cwd: dir },
    );
    assertOk(flagged, "start flagged");
    const wanted = await specsOf(source);
    assertEquals(wanted.limited!.env, { MODE: "limited", PRICE: "$5", PORT: "8080" });
    assertEquals(
      [wanted.limited!.max_memory, wanted.limited!.max_cpu, wanted.limited!.limit_action],
      [300 * 1024 * 1024, 80, "log"],
    );
    assertEquals(wanted.scheduled!.cron_restart, "0 3 * * *");
    assertEquals(wanted.multi!.instances, 3);

    for (const format of ["json", "toml"]) {
      const file = `${dir}/apps.${format}`;
      const exported = await source.cli(["export", "--format", format, "-o", file]);
      assertOk(exported, `export ${format}`);
      assertEquals((await Deno.stat(file)).mode! & 0o777, 0o600, "the export is owner-only");

      await using fresh = await startDaemon();
      const started = await fresh.cli(["start", `apps.${format}`], { cwd: dir });
      assertOk(started, `start apps.${format}`);
      assertEquals(started.stderr, "", "an export loads without warnings");
      assertEquals(await specsOf(fresh), wanted, `the ${format} export reproduces the apps`);
      await using client = await fresh.connect();
      assertEquals((await list(client)).length, 1 + 1 + 3 + 2, "every instance exists");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("import-pm2 <dump> creates and starts the dump's apps, one app per name", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const imported = await daemon.cli(["import-pm2", "dump.pm2"], { cwd: FIXTURES });
  assertOk(imported, "import-pm2");
  assertEquals(imported.stderr, "");
  const rows = await waitFor(
    () => list(client),
    (r) => r.length === 4 && r.every((i) => i.pid !== null),
    { what: "4 running instances" },
  );
  assertEquals(rows.map((r) => r.name).sort(), ["api", "api", "backup", "worker"]);
  const api = await specOf(daemon, "api");
  assertEquals([api.command, api.args, api.cwd, api.instances], ["/bin/sleep", ["60"], "/tmp", 2]);
  assertEquals([api.max_memory, api.kill_timeout_ms], [314572800, 5000]);
  assertEquals(api.exec_mode, "cluster");
  assertEquals(api.env, { NODE_ENV: "production", PORT: "8080" });
  const worker = await specOf(daemon, "worker");
  assertEquals(
    [worker.restart, worker.cron_restart, worker.stop_exit_codes, worker.restart_delay_ms],
    ["never", "0 3 * * *", [0], 2000],
  );
  assertEquals(worker.env, { QUEUE: "default" });
});

Deno.test("import-pm2 of a missing path exits 3 with one line", async () => {
  await using daemon = await startDaemon();
  const result = await daemon.cli(["import-pm2", "no/such/dump.pm2"], { cwd: FIXTURES });
  assertEquals(result.code, 3, result.stderr);
  const lines = result.stderr.trim().split("\n");
  assertEquals(lines.length, 1, result.stderr);
  assert(lines[0]!.includes("no/such/dump.pm2"), lines[0]);
  await using client = await daemon.connect();
  assertEquals(await list(client), []);
});
