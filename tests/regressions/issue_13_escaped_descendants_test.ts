/**
 * #13.7: a grandchild that calls setsid() leaves the process group. The daemon is a child
 * subreaper, so it is re-parented to the daemon rather than init, and a stop ends it too and
 * names it in the instance's history.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { events, processesOfInstance, startApp } from "../_helpers/apps.ts";
import { readProc } from "../_helpers/proc.ts";
import { waitFor } from "../_helpers/wait.ts";

Deno.test("#13.7 a setsid grandchild is re-parented to the daemon and stopped with its instance", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const [row] = await startApp(client, {
    name: "escaper",
    command: "/bin/sh",
    // The subshell starts a new session and exits at once: its sleep is an orphan.
    args: ["-c", "(setsid sleep 600 &); exec sleep 601"],
    min_uptime_ms: 0,
  });
  const leader = row!.pid!;
  const [escaped] = await waitFor(
    () => processesOfInstance(daemon.home, row!.id).filter((pid) => pid !== leader),
    // Re-parented first, when the subshell exits; out of the group a moment later, when
    // setsid(1) has called setsid().
    (pids) => {
      const proc = pids.length === 1 ? readProc(pids[0]!) : null;
      return proc !== null && proc.ppid === daemon.pid && proc.pgrp !== leader;
    },
    { what: "one setsid grandchild out of the instance's group, re-parented to the daemon" },
  );
  await client.request("stop", { targets: ["escaper"] });
  assertEquals(processesOfInstance(daemon.home, row!.id), [], "nothing of the instance is left");
  // Its zombie is reaped by the daemon, which adopted it.
  await waitFor(() => readProc(escaped!), (proc) => proc === null, { what: "zombie reaped" });
  const history = await events(client, ["escaper"]);
  const event = history.find((e) => e.event === "escaped");
  assert(event, "the stop names what escaped");
  assertMatch(
    event.reason ?? "",
    new RegExp(`stopped descendants that left the group: ${escaped} \\(sleep\\)`),
  );
});
