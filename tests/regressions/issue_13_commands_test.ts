// deno-lint-ignore-file no-sync-fn-in-async-fn -- tests write fixture files synchronously
/**
 * #13: commands are jobs with typed outcomes (reproductions 1, 5 and 6), and every error path
 * of `start` leaves the registry as it was.
 */
import { assert, assertEquals, assertMatch, assertRejects } from "../_helpers/assert.ts";
import { startDaemon, type TestDaemon } from "../_helpers/daemon.ts";
import { events, list, processesOfInstance, startApp, waitForInstance } from "../_helpers/apps.ts";
import { AdasaError } from "../../src/protocol/mod.ts";
import { liveGroupMembers } from "../_helpers/proc.ts";
import { waitFor } from "../_helpers/wait.ts";

const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;

/** Settles `promise`, or fails when it is still pending after `ms` (a hung reply). */
async function settledWithin<T>(promise: Promise<T>, ms: number, what: string) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([
      promise.then((value) => ({ ok: true as const, value }), (error) => ({
        ok: false as const,
        error,
      })),
      hung,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function codeOf(error: unknown): string {
  return error instanceof AdasaError ? error.code : String(error);
}

Deno.test("#13.1 a stop overtaken by a start during the kill timeout answers superseded at once", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const [row] = await startApp(client, {
    name: "stubborn",
    command: `${FIXTURES}ignore_sigterm.sh`,
    kill_timeout_ms: 8_000,
    min_uptime_ms: 0,
  });
  // Its trap is set once the grandchild runs: a SIGTERM before that would end it.
  await waitFor(() => liveGroupMembers(row!.pid!).length, (n) => n >= 3, { what: "3 processes" });
  const stop = client.request("stop", { targets: ["stubborn"] });
  await waitForInstance(client, row!.id, (r) => r.status === "stopping", "stopping");
  const start = client.request("start", { targets: ["stubborn"] });
  // Without outcomes the stop waited for a state that never came, until a later stop --force.
  const stopped = await settledWithin(stop, 10_000, "the stop's reply");
  assert(!stopped.ok, "the stop must not report done: the app is wanted up again");
  assertEquals(codeOf(stopped.error), "SUPERSEDED");
  assertMatch(String(stopped.error), /superseded by start/);
  const pending = await settledWithin(
    Promise.race([start, new Promise((r) => setTimeout(r, 300, "pending"))]),
    5_000,
    "the start",
  );
  assertEquals(
    pending.ok && pending.value,
    "pending",
    `the start waits: ${JSON.stringify(pending)} ${String((pending as { error?: unknown }).error)}`,
  );
  await client.request("stop", { targets: ["stubborn"], force: true }).catch(() => {});
  const started = await settledWithin(start, 10_000, "the start's reply");
  assert(!started.ok, "a forced stop supersedes the start");
  assertEquals(codeOf(started.error), "SUPERSEDED");
  const [after] = await list(client);
  assertEquals(after!.status, "stopped");
  assertEquals(after!.desired, "down");
});

Deno.test("#13.1 restart is one event of the table and ten in a row all answer done", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const [row] = await startApp(client, {
    name: "sleeper",
    command: "sleep",
    args: ["600"],
    min_uptime_ms: 0,
  });
  const replies = await Promise.allSettled(
    Array.from({ length: 10 }, () => client.request("restart", { targets: ["sleeper"] })),
  );
  assertEquals(replies.map((r) => r.status), Array(10).fill("fulfilled"));
  await waitForInstance(client, row!.id, (r) => r.status === "online", "online");
  assertEquals(processesOfInstance(daemon.home, row!.id).length, 1);
  const history = await events(client, ["sleeper"]);
  assert(history.some((e) => e.event === "restart" && e.from_state === "online"));
  assert(
    !history.some((e) => e.event === "stop"),
    "a restart is no longer a stop then a start",
  );
});

/** Starts `app`, expecting the error `code`, and checks that nothing was stored. */
async function refused(daemon: TestDaemon, app: Record<string, unknown>, code: string) {
  await using client = await daemon.connect();
  const rows = async () =>
    (await list(client)).map((r) => [r.id, r.name, r.status, r.desired, r.pid, r.restarts]);
  const before = await rows();
  const error = await assertRejects(() =>
    client.request("start", {
      app: { cwd: "/tmp", base_env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" }, ...app },
    })
  );
  assertEquals(codeOf(error), code, String(error));
  assertEquals(await rows(), before, `start of ${JSON.stringify(app)} changed the registry`);
  return String((error as Error).message);
}

Deno.test("#13.5 spawn failures refuse start with one line and store nothing", async () => {
  await using daemon = await startDaemon();
  const noexec = `${daemon.home}/not_exec.sh`;
  Deno.writeTextFileSync(noexec, "#!/bin/sh\nsleep 1\n", { mode: 0o644 });
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ name: "ghost", command: "/nonexistent/ghost" }, /program not found: \/nonexistent\/ghost/],
    [{ name: "typo", command: "nodee" }, /command "nodee" not found in PATH/],
    [
      { name: "nothere", command: "nothere.js", interpreter: "node" },
      /script not found: \/tmp\/nothere\.js/,
    ],
    [{ name: "noexec", command: noexec, interpreter: null }, /permission denied: .*not_exec/],
    [{ name: "nocwd", command: "sleep", args: ["5"], cwd: "/nonexistent/dir" }, /cwd does not/],
  ];
  for (const [app, message] of cases) {
    const text = await refused(daemon, app, "SPAWN_FAILED");
    assertMatch(text, message);
    assert(!text.includes("\n"), `one line: ${text}`);
  }
});

Deno.test("#13.5 the CLI refuses a missing program or script with one line, creating nothing", async () => {
  await using daemon = await startDaemon();
  // The CLI checks a script path itself (a usage error, exit 2); what it passes on, the
  // daemon's spawn check refuses (SPAWN_FAILED, exit 1).
  const ghost = await daemon.cli(["start", "/nonexistent/ghost"]);
  assert(ghost.code === 1 || ghost.code === 2, `exit ${ghost.code}: ${ghost.stderr}`);
  assertMatch(ghost.stderr, /not found: \/nonexistent\/ghost/);
  const script = await daemon.cli(["start", "nothere.js"], { cwd: daemon.home });
  assert(script.code === 1 || script.code === 2, `exit ${script.code}: ${script.stderr}`);
  assertMatch(script.stderr, /script not found: .*nothere\.js/);
  await using client = await daemon.connect();
  assertEquals(await list(client), []);
});

Deno.test("#13.5 every other error path of start leaves the registry as it was", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  await startApp(client, { name: "taken", command: "sleep", args: ["600"] });
  await refused(daemon, { name: "taken", command: "sleep", args: ["1"] }, "ALREADY_EXISTS");
  await refused(
    daemon,
    { name: "bad", command: "sleep", restart: "sometimes" },
    "INVALID_ARGUMENT",
  );
  await refused(
    daemon,
    { name: "cron", command: "sleep", cron_restart: "99 * * * *" },
    "INVALID_ARGUMENT",
  );
  // #13.6: a name the log folder refuses must be refused before the app exists.
  await refused(
    daemon,
    { name: "back\\slash", command: "sleep", args: ["600"] },
    "INVALID_ARGUMENT",
  );
});

Deno.test("#13.5 an app whose program disappears goes errored at its next start, no loop", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const program = `${daemon.home}/prog.sh`;
  Deno.writeTextFileSync(program, "#!/bin/sh\nexec sleep 600\n", { mode: 0o755 });
  const [row] = await startApp(client, { name: "vanish", command: program, interpreter: null });
  await client.request("stop", { targets: ["vanish"] });
  Deno.removeSync(program);
  const error = await assertRejects(() => client.request("start", { targets: ["vanish"] }));
  assertEquals(codeOf(error), "SPAWN_FAILED");
  const errored = await waitForInstance(client, row!.id, (r) => r.status === "errored", "errored");
  assertMatch(errored.reason ?? "", /program not found/);
  assertEquals(errored.restarts, 0);
  const spawns = (await events(client, ["vanish"])).filter((e) => e.event === "spawn_failed");
  assertEquals(spawns.length, 1);
});
