// deno-lint-ignore-file no-sync-fn-in-async-fn -- tests read /proc and temp files synchronously for simplicity
import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { groupAlive, makeHome, pidAlive, startDaemon } from "../_helpers/daemon.ts";
import { list, processesOfInstance, startApp } from "../_helpers/apps.ts";
import { waitFor } from "../_helpers/wait.ts";
import type { AdasaClient } from "../../src/ipc/client.ts";
import type { InstanceInfo } from "../../src/protocol/messages.ts";

async function allOnline(client: AdasaClient, ids: number[]): Promise<InstanceInfo[]> {
  return await waitFor(
    async () => (await list(client)).filter((r) => ids.includes(r.id)),
    (rows) => rows.length === ids.length && rows.every((r) => r.status === "online"),
    { what: `instances ${ids.join(",")} online`, timeoutMs: 5_000 },
  );
}

Deno.test("after a graceful daemon restart, online apps come back with the same ids; stopped stay stopped", async () => {
  const home = makeHome();
  let ids: number[];
  let stoppedId: number;
  {
    await using daemon = await startDaemon({ home, keepHome: true });
    await using client = await daemon.connect();
    const web = await startApp(client, {
      name: "web",
      command: "sleep",
      args: ["60"],
      instances: 2,
      min_uptime_ms: 100,
    });
    const [idle] = await startApp(client, { name: "idle", command: "sleep", args: ["60"] });
    await client.request("stop", { targets: ["idle"] });
    ids = web.map((r) => r.id);
    stoppedId = idle!.id;
    const before = await allOnline(client, ids);
    Deno.kill(before[0]!.pid!, "SIGKILL"); // one restart to keep count of
    await waitFor(
      () => list(client),
      (rows) => rows.some((r) => r.restarts === 1 && r.status !== "waiting"),
      {
        what: "a restart",
      },
    );
  }
  await using daemon = await startDaemon({ home });
  await using client = await daemon.connect();
  const after = await allOnline(client, ids);
  assertEquals(after.map((r) => r.restarts).sort(), [0, 1]);
  const idle = (await list(client)).find((r) => r.id === stoppedId)!;
  assertEquals(idle.status, "stopped");
  const history = await client.request("events", { targets: ["web"] });
  assert(history.some((e) => e.event === "shutdown" && e.reason === "daemon stopping"));
  assert(history.some((e) => e.event === "start" && e.reason === "daemon started"));
});

Deno.test("20 rounds of kill -9 of the daemon: every app online once, same ids, no old process left", async () => {
  const home = makeHome();
  const rounds = Number(Deno.env.get("ADASA_TEST_KILL_ROUNDS") ?? 20);
  let daemon = await startDaemon({ home, keepHome: true });
  const ids: number[] = [];
  try {
    {
      await using client = await daemon.connect();
      for (let i = 0; i < 10; i++) {
        const app = i % 3 === 0
          ? { name: `g${i}`, command: "/bin/sh", args: ["-c", "sleep 600 & exec sleep 600"] }
          : { name: `a${i}`, command: "sleep", args: ["600"], instances: i % 2 ? 2 : 1 };
        ids.push(...(await startApp(client, { ...app, min_uptime_ms: 50 })).map((r) => r.id));
      }
      await allOnline(client, ids);
    }
    for (let round = 0; round < rounds; round++) {
      const old = await (async () => {
        await using client = await daemon.connect();
        return (await list(client)).map((r) => r.pid!);
      })();
      await daemon.kill();
      daemon = await startDaemon({ home, keepHome: true });
      await using client = await daemon.connect();
      const rows = await allOnline(client, ids);
      assertEquals(rows.map((r) => r.id).sort((a, b) => a - b), [...ids].sort((a, b) => a - b));
      for (const pgid of old) {
        assert(!groupAlive(pgid), `round ${round}: old group ${pgid} survived`);
      }
      for (const id of ids) {
        assertEquals(processesOfInstance(daemon.home, id).length >= 1, true);
      }
      const leaders = rows.map((r) => r.pid!);
      assertEquals(new Set(leaders).size, ids.length);
    }
  } finally {
    await daemon[Symbol.asyncDispose]();
  }
  const db = new DatabaseSync(`${home}/adasa.db`, { readOnly: true });
  try {
    assertEquals({ ...db.prepare("PRAGMA integrity_check").get() }, { integrity_check: "ok" });
  } finally {
    db.close();
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("a recorded pid now used by an unrelated program (other start time) is never signalled", async () => {
  const home = makeHome();
  const stranger = new Deno.Command("setsid", {
    args: ["sleep", "30"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  })
    .spawn();
  try {
    {
      await using daemon = await startDaemon({ home, keepHome: true });
      await using client = await daemon.connect();
      await startApp(client, { name: "victim", command: "sleep", args: ["60"] });
      await daemon.kill();
    }
    // Pretend the daemon had recorded the stranger's pid for our instance, with another start time.
    const db = new DatabaseSync(`${home}/adasa.db`);
    const row = db.prepare("SELECT pid FROM instances").get() as { pid: number };
    Deno.kill(-row.pid, "SIGKILL");
    db.prepare("UPDATE instances SET pid = ?, pid_start_ticks = pid_start_ticks - 1").run(
      stranger.pid,
    );
    db.close();
    await using daemon = await startDaemon({ home });
    await using client = await daemon.connect();
    await waitFor(() => list(client), (rows) => rows[0]?.status === "online", {
      what: "victim online",
    });
    assert(pidAlive(stranger.pid), "the unrelated process was signalled");
  } finally {
    stranger.kill("SIGKILL");
    await stranger.status;
  }
});

Deno.test("kill -9 during a stream of commands: every acknowledged command stands, no app runs twice", async () => {
  const home = makeHome();
  let daemon = await startDaemon({ home, keepHome: true });
  const expected = new Map<string, boolean>(); // name -> exists, for acknowledged commands only
  const uncertain = new Set<string>(); // apps whose command was in flight at a kill
  try {
    for (let round = 0; round < 5; round++) {
      const killAt = 100 + Math.floor(Math.random() * 400);
      const killer = new Promise<void>((resolve) => setTimeout(resolve, killAt)).then(() =>
        daemon.kill()
      );
      const client = await daemon.connect();
      let n = 0;
      let inFlight = "";
      try {
        while (true) {
          const name = `r${round}x${n++}`;
          inFlight = name;
          await startApp(client, { name, command: "sleep", args: ["600"] });
          expected.set(name, true);
          if (n % 3 === 0) await client.request("restart", { targets: [name] });
          if (n % 4 === 0) {
            await client.request("delete", { targets: [name] });
            expected.set(name, false);
          }
        }
      } catch {
        // The daemon died under us: the command in flight may or may not have landed.
        expected.delete(inFlight);
        uncertain.add(inFlight);
      } finally {
        client.close();
      }
      await killer;
      daemon = await startDaemon({ home, keepHome: true });
      await using check = await daemon.connect();
      // An app whose delete was in flight at a kill may be left stopped (wanted down) or gone.
      const rows = await waitFor(
        () => list(check),
        (rs) => rs.every((r) => r.status === "online" || (uncertain.has(r.name) && !r.pid)),
        { what: "all online", timeoutMs: 5_000 },
      );
      const names = new Set(rows.map((r) => r.name));
      for (const [name, exists] of expected) {
        if (exists) assert(names.has(name), `acknowledged app ${name} is missing`);
        else assert(!names.has(name), `acknowledged delete of ${name} was lost`);
      }
      for (const r of rows.filter((r) => r.status === "online")) {
        assertEquals(
          processesOfInstance(daemon.home, r.id).length,
          1,
          `instance ${r.id} runs twice`,
        );
      }
    }
  } finally {
    await daemon[Symbol.asyncDispose]();
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("a text file in place of the database is set aside byte-identical and the daemon answers", async () => {
  const home = makeHome();
  const garbage = "this is not a database\n".repeat(100);
  Deno.writeTextFileSync(`${home}/adasa.db`, garbage);
  await using daemon = await startDaemon({ home });
  const status = await daemon.cli(["daemon", "status", "--json"]);
  const info = JSON.parse(status.stdout);
  assertMatch(info.store_warnings[0], /not a SQLite database/);
  const aside = [...Deno.readDirSync(home)].find((e) => e.name.startsWith("adasa.db.corrupt-"));
  assert(aside, "no quarantined copy");
  assertEquals(Deno.readTextFileSync(`${home}/${aside.name}`), garbage);
});
