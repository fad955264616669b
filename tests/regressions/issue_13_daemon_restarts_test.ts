// deno-lint-ignore-file no-sync-fn-in-async-fn -- tests edit the database and files synchronously
/**
 * #13: what survives a daemon's end. `desired` through SIGTERM then SIGKILL at any moment
 * (reproduction 2), a daemon that starts on whatever is stored (3), one-shot jobs that stay
 * done within a boot (4), and the daemon's stops, starts and recoveries in every app's history
 * (8).
 */
import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals, assertMatch, assertRejects } from "../_helpers/assert.ts";
import { makeHome, startDaemon } from "../_helpers/daemon.ts";
import { events, list, processesOfInstance, startApp, waitForInstance } from "../_helpers/apps.ts";
import { liveGroupMembers, readProc } from "../_helpers/proc.ts";
import { waitFor } from "../_helpers/wait.ts";
import { AdasaError } from "../../src/protocol/mod.ts";

const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;

/** The process groups the instance's processes belong to: one per generation. */
function groupsOfInstance(home: string, id: number): number[] {
  const groups = processesOfInstance(home, id).map((pid) => readProc(pid)?.pgrp);
  return [...new Set(groups.filter((g) => g !== undefined))];
}

function sql(home: string, statement: string, ...params: string[]): void {
  const db = new DatabaseSync(`${home}/adasa.db`);
  try {
    db.prepare(statement).run(...params);
  } finally {
    db.close();
  }
}

Deno.test("#13.2 SIGTERM then SIGKILL at 0, 50, 200, 700, 1500 ms: the next daemon brings back exactly the apps wanted up, once", async () => {
  const home = makeHome();
  let daemon = await startDaemon({ home, keepHome: true });
  try {
    let upId: number;
    let downId: number;
    {
      await using client = await daemon.connect();
      const [up] = await startApp(client, {
        name: "up",
        command: `${FIXTURES}ignore_sigterm.sh`,
        kill_timeout_ms: 3_000,
        min_uptime_ms: 0,
      });
      const [down] = await startApp(client, { name: "down", command: "sleep", args: ["600"] });
      await client.request("stop", { targets: ["down"] });
      upId = up!.id;
      downId = down!.id;
    }
    for (const delay of [0, 50, 200, 700, 1500]) {
      {
        await using client = await daemon.connect();
        const [up] = (await list(client)).filter((r) => r.id === upId);
        // Its trap is set once the grandchild runs; then only SIGKILL ends it.
        await waitFor(() => liveGroupMembers(up!.pid!).length, (n) => n >= 3, {
          what: "3 processes",
        });
      }
      Deno.kill(daemon.pid, "SIGTERM");
      // The fault being injected: systemd's TimeoutStopSec, an OOM kill, a power cut.
      await new Promise((resolve) => setTimeout(resolve, delay));
      await daemon.kill();
      daemon = await startDaemon({ home, keepHome: true });
      await using client = await daemon.connect();
      const up = await waitForInstance(client, upId, (r) => r.status === "online", "up online");
      assertEquals(up.desired, "up", `after SIGKILL at ${delay} ms`);
      const down = (await list(client)).find((r) => r.id === downId)!;
      assertEquals([down.status, down.desired], ["stopped", "down"], `after ${delay} ms`);
      assertEquals(processesOfInstance(home, downId).length, 0);
      await waitFor(() => groupsOfInstance(home, upId), (groups) => groups.length === 1, {
        what: `one generation of "up" after SIGKILL at ${delay} ms`,
      });
    }
    await using client = await daemon.connect();
    const history = await events(client, ["up"]);
    assert(history.every((e) => e.app === "up"));
    assert(history.some((e) => e.event === "shutdown" && e.reason === "daemon stopping"));
    const recovered = history.filter((e) => e.event === "recovered");
    assert(recovered.length > 0, "a recovery is in the app's history");
    assertMatch(recovered[0]!.reason ?? "", /^recovered after the daemon was killed/);
    assert(!history.some((e) => e.event === "stop"), "no user stop was ever recorded");
  } finally {
    await daemon[Symbol.asyncDispose]();
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("#13.4 a one-shot job stays exited across daemon restarts within a boot, and runs again after a reboot", async () => {
  const home = makeHome();
  const runs = `${home}/runs.txt`;
  const lines = () => {
    try {
      return Deno.readTextFileSync(runs).split("\n").filter(Boolean).length;
    } catch {
      return 0;
    }
  };
  let jobId: number;
  let svcId: number;
  {
    await using daemon = await startDaemon({ home, keepHome: true });
    await using client = await daemon.connect();
    const [job] = await startApp(client, {
      name: "job",
      command: "/bin/sh",
      args: ["-c", `echo run >> ${runs}`],
      restart: "never",
    });
    const [svc] = await startApp(client, { name: "svc", command: "sleep", args: ["600"] });
    jobId = job!.id;
    svcId = svc!.id;
    await waitForInstance(client, jobId, (r) => r.status === "exited", "job exited");
  }
  {
    await using daemon = await startDaemon({ home, keepHome: true });
    await using client = await daemon.connect();
    // svc is resumed in the same step as job would be: once it runs, job had its chance.
    await waitForInstance(client, svcId, (r) => r.status === "online", "svc online");
    const job = (await list(client)).find((r) => r.id === jobId)!;
    assertEquals([job.status, job.desired], ["exited", "up"]);
    assertEquals(lines(), 1, "the one-shot job ran again on a daemon restart");
    const history = await events(client, ["svc"]);
    const stop = history.find((e) => e.event === "shutdown")!;
    assertEquals([stop.app, stop.reason], ["svc", "daemon stopping"]);
    const start = history.findLast((e) => e.event === "start")!;
    assertEquals(start.reason, "daemon started");
  }
  // A reboot: the kernel's boot id changes.
  sql(home, "UPDATE daemon_meta SET value = 'an-earlier-boot' WHERE key = 'boot_id'");
  await using daemon = await startDaemon({ home });
  await using client = await daemon.connect();
  await waitFor(() => lines(), (n) => n === 2, { what: "the job's second run, after the reboot" });
  const history = await events(client, ["job"]);
  assert(history.some((e) => e.event === "daemon_start" && /new boot/.test(e.reason ?? "")));
});

Deno.test("#13.3 the daemon starts on a stored bad cron and a stored bad definition, and every op works", async () => {
  const home = makeHome();
  {
    await using daemon = await startDaemon({ home, keepHome: true });
    await using client = await daemon.connect();
    await startApp(client, { name: "cron", command: "sleep", args: ["600"] });
    await startApp(client, { name: "broken", command: "sleep", args: ["600"] });
  }
  sql(
    home,
    "UPDATE apps SET spec = json_set(spec, '$.cron_restart', '99 * * * *') WHERE name = ?",
    "cron",
  );
  sql(
    home,
    "UPDATE apps SET spec = json_set(spec, '$.restart', 'sometimes') WHERE name = ?",
    "broken",
  );
  await using daemon = await startDaemon({ home });
  await using client = await daemon.connect();
  const rows = await list(client);
  // Each stored definition is validated when loaded (the cron by croner itself): a bad one
  // is errored with the reason and an event, and runs nothing.
  for (const [name, why] of [["cron", /99/], ["broken", /restart/]] as const) {
    const row = rows.find((r) => r.name === name)!;
    assertEquals(row.status, "errored", name);
    assertMatch(row.reason ?? "", /^stored definition is invalid: /);
    assertMatch(row.reason ?? "", why);
    assertEquals(processesOfInstance(home, row.id), [], `${name} runs nothing`);
    const history = await events(client, [name]);
    assert(history.some((e) => e.event === "invalid_definition" && e.app === name), name);
  }
  // Every other op answers as usual (before #13 every op after the cron's sync was INTERNAL).
  await startApp(client, { name: "fresh", command: "sleep", args: ["600"] });
  const refused = await assertRejects(() => client.request("restart", { targets: ["cron"] }));
  assertEquals((refused as AdasaError).code, "INVALID_ARGUMENT");
  await client.request("delete", { targets: ["broken", "cron"] });
  assertEquals((await list(client)).map((r) => r.name), ["fresh"]);
});
