// deno-lint-ignore-file no-sync-fn-in-async-fn -- tests read /proc and marker files synchronously
/**
 * pm2's CLI verbs as a pm2 user types them, run as the real `adasa` against a real daemon:
 * jlist/prettylist, pid, env, reset, sendSignal, save/resurrect/update and "did you mean".
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { waitFor } from "../_helpers/wait.ts";

/** One process of pm2's jlist, as far as these tests read it. */
interface Pm2Row {
  name: string;
  pm_id: number;
  pid: number;
  monit: { memory: number; cpu: number };
  pm2_env: {
    status: string;
    restart_time: number;
    NODE_APP_INSTANCE: number;
    env: Record<string, string>;
  };
}

const SLEEPER = ["start", "--name", "api", "-i", "2", "--env", "GREETING=hello", "sleep", "--"];

Deno.test("adasa jlist prints a JSON array in pm2's shape; prettylist the same, indented", async () => {
  await using d = await startDaemon();
  assertEquals((await d.cli(["jlist"])).stdout.trim(), "[]");
  assertEquals((await d.cli([...SLEEPER, "300"])).code, 0);
  const listed = await waitFor(
    async () => JSON.parse((await d.cli(["jlist"])).stdout) as Pm2Row[],
    (rows) => rows.length === 2 && rows.every((r) => r.pm2_env.status === "online"),
    { what: "two online processes in jlist", timeoutMs: 15_000 },
  );
  const [first, second] = listed;
  assertEquals(first!.name, "api");
  assertEquals(typeof first!.pm_id, "number");
  assert(first!.pid > 0 && Deno.statSync(`/proc/${first!.pid}`).isDirectory);
  assertEquals(typeof first!.monit.memory, "number");
  assertEquals(typeof first!.monit.cpu, "number");
  assertEquals(first!.pm2_env.restart_time, 0);
  assertEquals([first!.pm2_env.NODE_APP_INSTANCE, second!.pm2_env.NODE_APP_INSTANCE], [0, 1]);
  assertEquals(first!.pm2_env.env.GREETING, "hello");
  const pretty = await d.cli(["prettylist"]);
  assert(pretty.stdout.startsWith('[\n  {\n    "pid": '), pretty.stdout);
  assertEquals(JSON.parse(pretty.stdout).length, 2);
});

Deno.test("adasa pid prints running pids; env prints the process's own environment", async () => {
  await using d = await startDaemon();
  await d.cli([...SLEEPER, "300"]);
  await d.cli(["start", "--name", "other", "sleep", "--", "301"]);
  const pids = await waitFor(
    async () => (await d.cli(["pid", "api"])).stdout.trim().split("\n").filter(Boolean),
    (lines) => lines.length === 2,
    { what: "two pids for api" },
  );
  for (const pid of pids) {
    const argv = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
    assertEquals([argv[0]!.replace(/^.*\//, ""), argv[1]], ["sleep", "300"]);
  }
  const all = (await d.cli(["pid"])).stdout.trim().split("\n");
  assertEquals(all.length, 3);
  const missing = await d.cli(["pid", "apx"]);
  assertEquals(missing.code, 3);
  assertMatch(missing.stderr, /No app or id "apx"; did you mean "api"\?/);

  const rows = JSON.parse((await d.cli(["list", "--json"])).stdout) as Array<
    { id: number; name: string }
  >;
  const ids = rows.filter((r) => r.name === "api").map((r) => r.id);
  const env = (await d.cli(["env", String(ids[1])])).stdout;
  assertMatch(env, /^GREETING: hello$/m);
  assertMatch(env, /^NODE_APP_INSTANCE: 1$/m);
  const ambiguous = await d.cli(["env", "api"]);
  assertEquals(ambiguous.code, 2);
  assertMatch(ambiguous.stderr, /has 2 instances; name one by id/);
});

Deno.test("adasa reset zeroes restart counters, and they stay zero across a daemon restart", async () => {
  await using d = await startDaemon();
  await d.cli(["start", "--name", "w", "sleep", "--", "300"]);
  await d.cli(["restart", "w"]);
  await d.cli(["restart", "w"]);
  const restarts = async () =>
    (JSON.parse((await d.cli(["list", "--json"])).stdout) as Array<{ restarts: number }>)[0]!
      .restarts;
  assertEquals(await restarts(), 2);
  const reset = await d.cli(["reset", "w"]);
  assertEquals(reset.code, 0);
  assertMatch(reset.stdout, /^Restart counters reset for w#\d+$/m);
  assertEquals(await restarts(), 0);
  const events = JSON.parse((await d.cli(["events", "w", "--json"])).stdout) as Array<
    { event: string; reason: string | null }
  >;
  assert(events.some((e) => e.event === "reset" && e.reason === "restart counters reset"));
  assertEquals((await d.cli(["reset", "nope"])).code, 3);
  const update = await d.cli(["update"]);
  try {
    assertMatch(update.stdout, /^Daemon restarted \(pid \d+, version .+\): 1 of 1 instances/);
    assertEquals(await restarts(), 0);
  } finally {
    await d.cli(["daemon", "stop"]);
  }
});

Deno.test("adasa sendSignal delivers the signal to the app's processes", async () => {
  await using d = await startDaemon();
  const marker = `${d.home}/got-usr2`;
  const script = `trap 'echo usr2 > ${marker}' USR2; while :; do sleep 0.05; done`;
  await d.cli(["start", "--name", "trapper", "--shell", script]);
  await waitFor(async () => (await d.cli(["pid", "trapper"])).stdout.trim(), Boolean, {
    what: "a pid for trapper",
  });
  // The trap is set once the shell runs its first loop; resend until it has taken it.
  await waitFor(
    async () => {
      await d.cli(["sendSignal", "SIGUSR2", "trapper"]);
      try {
        return Deno.readTextFileSync(marker).trim();
      } catch {
        return "";
      }
    },
    (text) => text === "usr2",
    { what: "the trap's marker file" },
  );
});

Deno.test("adasa save and resurrect say in one line what Adasa does instead", async () => {
  await using d = await startDaemon();
  await d.cli(["start", "--name", "s", "sleep", "--", "300"]);
  const save = await d.cli(["save"]);
  assertEquals(save.code, 0);
  assertEquals(save.stdout.trim().split("\n").length, 1);
  assertMatch(
    save.stdout,
    /^Nothing to save: every change is already in .*adasa\.db \(1 instances/,
  );
  const resurrect = await d.cli(["resurrect"]);
  assertMatch(resurrect.stdout, /^The daemon \(pid \d+\) is running/);
  assertEquals((await d.cli(["save", "extra"])).code, 2);
});

Deno.test("a mistyped command, flag or app name gets did you mean, with the usage exit code", async () => {
  await using d = await startDaemon();
  await d.cli(["start", "--name", "billing", "sleep", "--", "300"]);
  const command = await d.cli(["lsit"]);
  assertEquals(command.code, 2);
  assertMatch(command.stderr, /Unknown command "lsit"; did you mean "list"\?/);
  const flag = await d.cli(["start", "--nmae", "x", "sleep"]);
  assertEquals(flag.code, 2);
  assertMatch(flag.stderr, /Unknown option "--nmae"; did you mean "--name"\?/);
  const app = await d.cli(["stop", "biling"]);
  assertEquals(app.code, 3);
  assertMatch(app.stderr, /No app or id "biling"; did you mean "billing"\?/);
  const far = await d.cli(["frobnicate"]);
  assertEquals(far.code, 2);
  assert(!far.stderr.includes("did you mean"), far.stderr);
});

Deno.test("pm2's other names: ps, desc, startOrReload <file> and kill", async () => {
  await using d = await startDaemon();
  const dir = Deno.makeTempDirSync({ prefix: "adasa-verbs-" });
  try {
    const file = `${dir}/ecosystem.config.js`;
    Deno.writeTextFileSync(
      file,
      `module.exports = { apps: [{ name: "sleeper", script: "sleep", args: "300", interpreter: "none" }] };\n`,
    );
    const reload = await d.cli(["startOrReload", file]);
    assertEquals(reload.code, 0, reload.stderr);
    const ps = await d.cli(["ps"]);
    assertMatch(ps.stdout, /sleeper/);
    assertMatch((await d.cli(["desc", "sleeper"])).stdout, /sleeper/);
    const kill = await d.cli(["kill"]);
    assertEquals(kill.code, 0, kill.stderr);
    assertMatch(kill.stdout, /^Daemon stopped \(pid \d+\)/);
    assertEquals((await d.cli(["daemon", "status", "--json"])).code === 0, false);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
