/** Exits and restarts by reason, from transition records (#19). */
import { assertEquals } from "../_helpers/assert.ts";
import { exitReasonOf, FleetCounters, restartCauseOf } from "../../src/daemon/fleet_counters.ts";
import type { TransitionRecord } from "../../src/supervisor/mod.ts";

function record(fields: Partial<TransitionRecord> & { restarts?: number; id?: number }) {
  const { restarts = 0, id = 1, ...rest } = fields;
  return {
    snapshot: { id, restarts } as TransitionRecord["snapshot"],
    app: "api",
    event: "exit",
    from: "online",
    to: "waiting",
    at: 0,
    pid: 10,
    exit: null,
    uptime_ms: null,
    reason: null,
    ...rest,
  } as TransitionRecord;
}

Deno.test("exitReasonOf tells a requested stop, a signal, an error code and a clean exit apart", () => {
  const cases: Array<[Partial<TransitionRecord>, string | null]> = [
    [{ from: "stopping", exit: { code: null, signal: "SIGTERM" } }, "stopped"],
    [{ exit: { code: null, signal: "SIGKILL" } }, "signal"],
    [{ exit: { code: 3, signal: null } }, "error"],
    [{ exit: { code: 0, signal: null } }, "clean"],
    [{ event: "start" }, null],
  ];
  for (const [fields, want] of cases) assertEquals(exitReasonOf(record(fields)), want);
});

Deno.test("restartCauseOf reads the cause from the event and the command's reason", () => {
  const cases: Array<[Partial<TransitionRecord>, string | null]> = [
    [{ event: "exit" }, "crash"],
    [{ event: "exit", from: "stopping" }, null],
    [{ event: "unhealthy" }, "unhealthy"],
    [{ event: "restart", reason: null }, "command"],
    [{ event: "reload", reason: null }, "command"],
    [{ event: "restart", reason: "cron_restart 0 * * * *" }, "cron"],
    [{ event: "restart", reason: "watch: src/a.ts changed" }, "watch"],
    [{ event: "restart", reason: "memory 2 MiB over max_memory 1 MiB for 3 samples" }, "limit"],
    [{ event: "backoff_elapsed" }, null],
  ];
  for (const [fields, want] of cases) {
    assertEquals(restartCauseOf(record(fields)), want, JSON.stringify(fields));
  }
});

Deno.test("FleetCounters counts a restart when the instance's restarts rise, under its cause", () => {
  const fleet = new FleetCounters();
  fleet.observe(record({ event: "start", from: "stopped", to: "launching", restarts: 2 }));
  fleet.observe(record({ exit: { code: 1, signal: null }, restarts: 2 }));
  fleet.observe(
    record({ event: "backoff_elapsed", from: "waiting", to: "launching", restarts: 3 }),
  );
  fleet.observe(
    record({ event: "restart", to: "stopping", reason: "cron_restart * * * * *", restarts: 3 }),
  );
  fleet.observe(record({ from: "stopping", to: "launching", restarts: 4 }));
  fleet.observe(record({ event: "reset", from: "online", to: "online", restarts: 0 }));
  fleet.observe(record({ event: "reload", reason: null, restarts: 1 }));
  assertEquals(fleet.restarts().sort((a, b) => a.reason.localeCompare(b.reason)), [
    { app: "api", reason: "command", count: 1 },
    { app: "api", reason: "crash", count: 1 },
    { app: "api", reason: "cron", count: 1 },
  ]);
  assertEquals(fleet.exits().sort((a, b) => a.reason.localeCompare(b.reason)), [
    { app: "api", reason: "error", count: 1 },
    { app: "api", reason: "stopped", count: 1 },
  ]);
});

Deno.test("FleetCounters forgets removed instances and deleted apps, keeping the others (#17)", () => {
  const fleet = new FleetCounters();
  for (let id = 1; id <= 100; id++) {
    const app = `app-${id}`;
    fleet.observe(record({ app, id, event: "start", from: "stopped", to: "launching" }));
    fleet.observe(record({ app, id, exit: { code: 1, signal: null } }));
    fleet.observe(record({ app, id, event: "backoff_elapsed", to: "launching", restarts: 1 }));
  }
  fleet.observe(record({ app: "kept", id: 500, exit: { code: 1, signal: null } }));
  assertEquals(fleet.size, { instances: 101, counters: 201 });
  const ids = Array.from({ length: 100 }, (_, i) => i + 1);
  fleet.forget(ids, ids.map((id) => `app-${id}`));
  assertEquals(fleet.size, { instances: 1, counters: 1 });
  assertEquals(fleet.exits(), [{ app: "kept", reason: "error", count: 1 }]);
  assertEquals(fleet.restarts(), []);
});
