/**
 * `adasa start <file>` and `adasa reload <file>` end to end: a real daemon, the real CLI as a
 * subprocess run in tests/fixtures/config_e2e, and a probe program (probe.sh) that records in
 * $OUT_DIR what it was given (cwd, arguments, environment) and which signal stopped it.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { events, list, waitForInstance } from "../_helpers/apps.ts";
import { type CliResult, startDaemon, type TestDaemon } from "../_helpers/daemon.ts";
import { waitFor } from "../_helpers/wait.ts";
import type { AdasaClient } from "../../src/ipc/client.ts";
import type { InstanceInfo } from "../../src/protocol/messages.ts";

const FIXTURES = new URL("../fixtures/config_e2e/", import.meta.url).pathname;

/** A temp folder for the probe's records, removed on dispose. */
function outDir(): Disposable & { path: string } {
  const path = Deno.makeTempDirSync({ prefix: "adasa-out-" });
  return { path, [Symbol.dispose]: () => Deno.removeSync(path, { recursive: true }) };
}

/** Waits for the probe of `tag` (`app-instance`) to have recorded everything; its pid. */
async function probeReady(out: string, tag: string): Promise<number> {
  const read = () => {
    try {
      return Number(Deno.readTextFileSync(`${out}/${tag}.ready`).trim());
    } catch {
      return 0;
    }
  };
  return await waitFor(read, (pid) => pid > 0, { what: `${tag} ready` });
}

function probeLines(out: string, tag: string, what: "args" | "pwd" | "signal"): string[] {
  return Deno.readTextFileSync(`${out}/${tag}.${what}`).replace(/\n$/, "").split("\n");
}

function probeEnv(out: string, tag: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of Deno.readTextFileSync(`${out}/${tag}.env`).split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

/** `adasa ARGS` run in the fixture folder. */
function cli(daemon: TestDaemon, args: string[], env: Record<string, string> = {}) {
  return daemon.cli(args, { cwd: FIXTURES, env });
}

function assertOk(result: CliResult, what: string): void {
  assertEquals(result.code, 0, `${what}: exit ${result.code}, stderr: ${result.stderr}`);
}

async function describeSpec(daemon: TestDaemon, name: string): Promise<Record<string, unknown>> {
  const result = await cli(daemon, ["describe", name, "--json"]);
  assertOk(result, `describe ${name}`);
  return (JSON.parse(result.stdout) as Array<{ spec: Record<string, unknown> }>)[0]!.spec;
}

function rowsOf(rows: InstanceInfo[], name: string): InstanceInfo[] {
  return rows.filter((r) => r.name === name).sort((a, b) => a.instance - b.instance);
}

/** Every format describes the same two apps: `web` (2 instances, long-running) and `once`. */
const FORMATS = [
  { file: "apps.json", value: "from-json", signal: "USR1" },
  { file: "apps.toml", value: "from-toml", signal: "USR2" },
  { file: "processes.toml", value: "from-processes", signal: "HUP" },
  { file: "probe.config.js", value: "from-js", signal: "INT" },
  { file: "probe.config.cjs", value: "from-cjs", signal: "QUIT" },
  { file: "probe.config.mjs", value: "from-mjs", signal: "TERM" },
  { file: "process.json", value: "from-pm2-json", signal: "USR1" },
];

for (const format of FORMATS) {
  Deno.test(`start ${format.file} runs its apps with the file's env, cwd, args, instances, restart policy and stop signal`, async () => {
    await using daemon = await startDaemon();
    await using client = await daemon.connect();
    using out = outDir();
    assertOk(await cli(daemon, ["start", format.file], { OUT_DIR: out.path }), "start");
    const web = rowsOf(await list(client), "web");
    assertEquals(web.map((r) => r.instance), [0, 1], "instances: 2");
    for (const row of web) {
      const tag = `web-${row.instance}`;
      assertEquals(await probeReady(out.path, tag), row.pid, `${tag}: the probe is the listed pid`);
      assertEquals(probeLines(out.path, tag, "args"), ["one", "two words"]);
      assertEquals(probeLines(out.path, tag, "pwd"), [`${FIXTURES}work`]);
      const env = probeEnv(out.path, tag);
      assertEquals([env.PROBE_VALUE, env.PORT], [format.value, "3000"]);
    }
    // autorestart false / restart never: once it exits, it stays exited.
    const [once] = rowsOf(await list(client), "once");
    await probeReady(out.path, "once-0");
    const ended = await waitForInstance(client, once!.id, (r) => r.status === "exited", "exited");
    assertEquals([ended.exit_code, ended.restarts], [0, 0]);
    assertOk(await cli(daemon, ["stop", "web"]), "stop web");
    for (const row of web) {
      assertEquals(probeLines(out.path, `web-${row.instance}`, "signal"), [format.signal]);
    }
  });
}

Deno.test("start processes.toml maps the predecessor's limits and timing fields into the definition", async () => {
  await using daemon = await startDaemon();
  using out = outDir();
  assertOk(await cli(daemon, ["start", "processes.toml"], { OUT_DIR: out.path }), "start");
  const spec = await describeSpec(daemon, "web");
  assertEquals(
    [spec.max_restarts, spec.restart_delay_ms, spec.max_memory, spec.kill_timeout_ms],
    [7, 2000, 64 * 1024 * 1024, 3000],
  );
  assertEquals((await describeSpec(daemon, "once")).restart, "never");
});

Deno.test("start ecosystem.config.js --env production gives the children the env_production values", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  using out = outDir();
  const started = await cli(daemon, ["start", "ecosystem.config.js", "--env", "production"], {
    OUT_DIR: out.path,
    REDIS_HOST: "cache.internal",
  });
  assertOk(started, "start");
  const warnings = started.stderr.trim().split("\n");
  assertEquals(warnings.length, 1, started.stderr);
  assertMatch(
    warnings[0]!,
    /^adasa: warning: \S*ecosystem\.config\.js: deploy: pm2's deploy section is not supported by Adasa; ignored$/,
    "the deploy section is named, never silently dropped",
  );
  const rows = await list(client);
  assertEquals(rows.map((r) => r.name).sort(), ["app1", "app1", "worker"]);
  for (const tag of ["app1-0", "app1-1"]) {
    await probeReady(out.path, tag);
    const env = probeEnv(out.path, tag);
    assertEquals([env.NODE_ENV, env.PORT], ["production", "3000"], tag);
  }
  await probeReady(out.path, "worker-0");
  assertEquals(probeEnv(out.path, "worker-0").QUEUE_URL, "redis://cache.internal:6379");
  assertEquals(probeLines(out.path, "worker-0", "args"), ["--queue", "default", "--verbose"]);
  const worker = await describeSpec(daemon, "worker");
  assertEquals([worker.restart, worker.cron_restart], ["never", "0 3 * * *"]);
  assertEquals((await describeSpec(daemon, "app1")).max_memory, 300 * 1024 * 1024);
});

async function pidsByName(client: AdasaClient): Promise<Map<string, Array<number | null>>> {
  const out = new Map<string, Array<number | null>>();
  for (const row of await list(client)) out.set(row.name, [...(out.get(row.name) ?? []), row.pid]);
  return out;
}

function allOnline(client: AdasaClient, count: number): Promise<InstanceInfo[]> {
  return waitFor(
    () => list(client),
    (rows) => rows.length === count && rows.every((r) => r.status === "online"),
    { what: `${count} instances online` },
  );
}

/** For a 2-instance app: the second instance was stopped only after the first was back online. */
async function assertOneAtATime(client: AdasaClient, app: string, afterId: number) {
  const timeline = (await events(client, [app])).filter((e) => e.id > afterId);
  // A reload starts the new process beside the old one (`reloading`), and retires the old one
  // once the new one is ready (back to `online`).
  const stops = timeline.filter((e) => e.to_state === "reloading");
  assertEquals(stops.length, 2, `two reloads of ${app}: ${JSON.stringify(timeline)}`);
  const [first, second] = stops as [typeof stops[0], typeof stops[0]];
  const backOnline = timeline.find((e) =>
    e.instance_id === first.instance_id && e.to_state === "online" && e.id > first.id
  );
  assert(backOnline, `instance ${first.instance_id} came back online`);
  assert(backOnline.id < second.id, "the second instance was reloaded after the first was online");
}

Deno.test("reload <file> keeps unchanged apps, restarts a changed one instance by instance, starts new ones and prunes only with --prune", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  assertOk(await cli(daemon, ["start", "reload_v1.toml"]), "start v1");
  await allOnline(client, 4);
  const before = await pidsByName(client);
  const lastEvent = (await events(client)).at(-1)?.id ?? 0;

  const reloaded = await cli(daemon, ["reload", "reload_v2.toml"]);
  assertOk(reloaded, "reload v2");
  assertEquals(reloaded.stdout.trim().split("\n").map((l) => l.replace(/\s+/g, " ")), [
    "started arriving",
    "restarted changing (changed: env)",
    "unchanged steady",
  ]);
  await allOnline(client, 5);
  const after = await pidsByName(client);
  assertEquals(after.get("steady"), before.get("steady"), "unchanged app keeps its pid");
  assertEquals(after.get("leaving"), before.get("leaving"), "without --prune it stays");
  const [old0, old1] = before.get("changing")!;
  const [new0, new1] = after.get("changing")!;
  assert(new0 !== old0 && new1 !== old1, "both instances of the changed app have new pids");
  await assertOneAtATime(client, "changing", lastEvent);

  const pruned = await cli(daemon, ["reload", "reload_v2.toml", "--prune"]);
  assertOk(pruned, "reload --prune");
  assertMatch(pruned.stdout, /^deleted\s+leaving$/m);
  assertEquals(pruned.stdout.match(/^unchanged\s+\S+$/gm)?.length, 3);
  assertEquals([...(await pidsByName(client)).keys()].sort(), ["arriving", "changing", "steady"]);
});

Deno.test("start <file> keeps exec_mode: cluster in the definition, without a warning", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const started = await cli(daemon, ["start", "cluster.json"]);
  assertOk(started, "start");
  assertEquals(started.stderr, "");
  const rows = await list(client);
  assertEquals(rows.map((r) => r.name), ["clustered", "clustered"]);
  const described = await cli(daemon, ["describe", "clustered", "--json"]);
  assertOk(described, "describe");
  const [app] = JSON.parse(described.stdout) as Array<{ spec: { exec_mode: string } }>;
  assertEquals(app!.spec.exec_mode, "cluster");
});

/**
 * Bad files: the CLI arguments, and the `apps[i].field` (or other place) each line names. A
 * case with `text` is written to a temp folder: deno fmt would repair it in the fixtures.
 */
const BAD_FILES: Array<{ args: string[]; file: string; where: RegExp[]; text?: string }> = [
  {
    args: [],
    file: "unparseable.json",
    where: [/unparseable\.json:3:\d+: invalid JSON/],
    text: '{\n  "apps": [\n    { "name": "a", "script": "sleep", } }\n  ]\n}\n',
  },
  { args: [], file: "bad/unparseable.toml", where: [/unparseable\.toml:1:\d+: invalid TOML/] },
  {
    args: [],
    file: "bad/throws.config.js",
    where: [/throws\.config\.js:3:\d+: evaluating the file failed: .*ecosystem exploded/],
  },
  { args: [], file: "bad/missing_script.json", where: [/apps\[0\]\.script: missing/] },
  { args: [], file: "bad/instances_word.json", where: [/apps\[0\]\.instances: .*"four"/] },
  { args: [], file: "bad/duplicate_names.toml", where: [/apps\[1\]\.name: duplicate .*twin/] },
  { args: [], file: "bad/invalid_name.json", where: [/apps\[0\]\.name: invalid app name/] },
  { args: ["--env", "staging"], file: "reload_v1.toml", where: [/env_staging: no app defines/] },
  { args: [], file: "bad/env_value_type.json", where: [/apps\[0\]\.env\.PORT: expected/] },
  { args: [], file: "bad/unterminated_var.json", where: [/apps\[0\]\.args\[0\]: unterminated/] },
  {
    args: [],
    file: "bad/unreadable_env_file.json",
    where: [/apps\[0\]\.env_file: cannot read .*missing\.env/],
  },
  {
    args: ["--strict"],
    file: "bad/unsupported_field.json",
    where: [/apps\[0\]\.namespace: not supported/],
  },
  {
    args: [],
    file: "bad/two_problems.json",
    where: [/apps\[0\]\.instances: /, /apps\[1\]\.env\.PORT: /],
  },
];

Deno.test("start <bad file> exits 2 with one line per problem naming file, app and field, and starts nothing", async (t) => {
  await using daemon = await startDaemon();
  using scratch = outDir();
  for (const bad of BAD_FILES) {
    await t.step(`${bad.file} ${bad.args.join(" ")}`.trim(), async () => {
      const dir = bad.text === undefined ? FIXTURES : `${scratch.path}/`;
      if (bad.text !== undefined) await Deno.writeTextFile(`${dir}${bad.file}`, bad.text);
      const result = await daemon.cli(["start", bad.file, ...bad.args], { cwd: dir });
      assertEquals(result.code, 2, `exit code; stderr: ${result.stderr}`);
      const lines = result.stderr.trim().split("\n").map((l) => l.replace(/^adasa: /, ""));
      assertEquals(lines.length, bad.where.length, result.stderr);
      bad.where.forEach((where, i) => {
        const line = lines[i]!;
        assert(line.startsWith(`${dir}${bad.file}:`), `names the file: ${line}`);
        assertMatch(line, where);
      });
      const listed = await cli(daemon, ["list", "--json"]);
      assertEquals(JSON.parse(listed.stdout), [], "nothing was started");
    });
  }
});
