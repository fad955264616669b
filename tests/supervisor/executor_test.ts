/**
 * The executor itself (Supervisor, Instance, the table and the jobs) over fake processes and a
 * manual clock: command interleavings, every reply and the final state, in milliseconds.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { AdasaError } from "../../src/protocol/mod.ts";
import { SpawnError } from "../../src/supervisor/spawn.ts";
import { fakeSpec, fakeSupervisor, settle } from "./_fakes.ts";

type Reply = { ok: true } | { ok: false; code: string; message: string } | "pending";

/** Tracks a command's reply without awaiting it. */
function track(promise: Promise<unknown>): { get(): Reply } {
  let reply: Reply = "pending";
  promise.then(() => (reply = { ok: true }), (error) => {
    reply = error instanceof AdasaError
      ? { ok: false, code: error.code, message: error.message }
      : { ok: false, code: "THROWN", message: String(error) };
  });
  return { get: () => reply };
}

/** A running app whose children ignore SIGTERM when `stubborn`. */
async function running(options: { stubborn?: boolean; spec?: Record<string, unknown> } = {}) {
  const fake = fakeSupervisor();
  fake.processes.ignoreTerm = options.stubborn ?? false;
  const spec = fakeSpec(options.spec);
  const [instance] = await fake.supervisor.create(spec);
  await fake.clock.advance(spec.min_uptime_ms);
  assertEquals(instance!.state, "online");
  return { ...fake, instance: instance! };
}

Deno.test("stop then start during the kill timeout: the stop is superseded at once, the start done once the new child runs", async () => {
  const { supervisor, processes, clock, instance } = await running({ stubborn: true });
  const stop = track(supervisor.stop([instance]));
  await settle();
  assertEquals(instance.state, "stopping");
  const start = track(supervisor.start([instance]));
  await settle();
  const superseded = stop.get();
  assert(superseded !== "pending" && !superseded.ok, "the stop answered");
  assertEquals(superseded.code, "SUPERSEDED");
  assert(/superseded by start/.test(superseded.message), superseded.message);
  assertEquals(start.get(), "pending");
  assertEquals(instance.desired, "up");
  await clock.advance(1_000); // kill timeout: SIGKILL, exit, launch
  assertEquals(start.get(), { ok: true });
  assertEquals(instance.state, "launching");
  assertEquals(processes.alive.length, 1);
  assertEquals(processes.children.length, 2);
});

Deno.test("restart x10 at once: every reply done, one new child, one restart counted", async () => {
  const { supervisor, processes, clock, instance } = await running();
  const replies = Array.from({ length: 10 }, () => track(supervisor.restart([instance])));
  await clock.advance(0);
  for (const reply of replies) assertEquals(reply.get(), { ok: true });
  assertEquals(processes.children.length, 2);
  assertEquals(processes.alive.length, 1);
  assertEquals(instance.snapshot().restarts, 1);
  await clock.advance(100);
  assertEquals(instance.state, "online");
});

Deno.test("restart x10 in sequence: each done with its own new child", async () => {
  const { supervisor, processes, clock, instance } = await running();
  for (let i = 0; i < 10; i++) {
    const reply = track(supervisor.restart([instance]));
    await clock.advance(0);
    assertEquals(reply.get(), { ok: true }, `restart ${i}`);
  }
  assertEquals(processes.children.length, 11);
  assertEquals(processes.alive.length, 1);
  assertEquals(instance.snapshot().restarts, 10);
});

Deno.test("reload then stop: the reload is superseded by stop, both children end, stopped", async () => {
  const { supervisor, processes, clock, instance } = await running({
    spec: { min_uptime_ms: 10_000 },
  });
  // The replacement is not ready before min_uptime: the stop comes first.
  const reload = track(supervisor.reload([instance]));
  await settle();
  assertEquals(instance.state, "reloading");
  assertEquals(processes.alive.length, 2);
  const stop = track(supervisor.stop([instance]));
  await clock.advance(0);
  const r = reload.get();
  assert(r !== "pending" && !r.ok && r.code === "SUPERSEDED", JSON.stringify(r));
  assertEquals(stop.get(), { ok: true });
  assertEquals(instance.state, "stopped");
  assertEquals(processes.alive.length, 0);
});

Deno.test("a reload whose replacement fails answers RELOAD_FAILED; the old child keeps serving", async () => {
  const { supervisor, processes, clock, instance } = await running();
  const old = processes.children[0]!;
  const reload = track(supervisor.reload([instance]));
  await settle();
  assertEquals(instance.state, "reloading");
  processes.children[1]!.exit({ code: 1, signal: null });
  await clock.advance(0);
  const r = reload.get();
  assert(r !== "pending" && !r.ok && r.code === "RELOAD_FAILED", JSON.stringify(r));
  assertEquals(instance.state, "online");
  assertEquals(instance.pid, old.pid);
  assert(old.alive);
});

Deno.test("shutdown during a stubborn child: pending jobs superseded, SIGKILL after the kill timeout, desired kept", async () => {
  const { supervisor, processes, clock, instance } = await running({ stubborn: true });
  const restart = track(supervisor.restart([instance]));
  await settle();
  const shutdown = track(supervisor.shutdown());
  await settle();
  const r = restart.get();
  assert(r !== "pending" && !r.ok && r.code === "SUPERSEDED", JSON.stringify(r));
  assert(/daemon shutdown/.test(r.message));
  assertEquals(shutdown.get(), "pending");
  await clock.advance(1_000);
  assertEquals(shutdown.get(), { ok: true });
  assertEquals(instance.state, "stopped");
  assertEquals(instance.desired, "up");
  assertEquals(processes.alive.length, 0);
  assertEquals(processes.children[0]!.signals, ["SIGTERM", "SIGKILL"]);
  const late = track(supervisor.start([instance]));
  await settle();
  const refused = late.get();
  assert(refused !== "pending" && !refused.ok && refused.code === "UNAVAILABLE");
});

Deno.test("shutdown never writes desired: every transition it causes keeps desired up", async () => {
  const { supervisor, clock, registry, instance } = await running();
  const before = registry.transitions.length;
  const done = supervisor.shutdown();
  await clock.advance(0);
  await done;
  const caused = registry.transitions.slice(before);
  assertEquals(caused.map((t) => [t.event, t.to]), [["shutdown", "stopping"], ["exit", "stopped"]]);
  assert(caused.every((t) => t.snapshot.desired === "up"));
  assertEquals(caused.map((t) => t.reason), ["daemon stopping", "daemon stopping"]);
  assertEquals(instance.state, "stopped");
});

Deno.test("exit while stopping: the stop is done when the child ends on its own", async () => {
  const { supervisor, processes, clock, instance } = await running({ stubborn: true });
  const stop = track(supervisor.stop([instance]));
  await settle();
  assertEquals(stop.get(), "pending");
  processes.children[0]!.exit({ code: 0, signal: null });
  await clock.advance(0);
  assertEquals(stop.get(), { ok: true });
  assertEquals(instance.state, "stopped");
  assertEquals(instance.desired, "down");
});

Deno.test("a stop's desired is written with its first transition, not before", async () => {
  const { supervisor, clock, registry, instance } = await running({ stubborn: true });
  const before = registry.transitions.length;
  const stop = supervisor.stop([instance]);
  await clock.advance(1_000);
  await stop;
  const first = registry.transitions[before]!;
  assertEquals([first.event, first.from, first.to, first.snapshot.desired], [
    "stop",
    "online",
    "stopping",
    "down",
  ]);
});

Deno.test("a closed connection frees the wait; the job goes on", async () => {
  const { supervisor, clock, instance } = await running({ stubborn: true });
  const abort = new AbortController();
  const stop = track(supervisor.stop([instance], { signal: abort.signal }));
  await settle();
  abort.abort();
  await settle();
  const r = stop.get();
  assert(r !== "pending" && !r.ok && r.code === "UNAVAILABLE", JSON.stringify(r));
  assertEquals(instance.state, "stopping");
  await clock.advance(1_000);
  assertEquals(instance.state, "stopped");
});

Deno.test("a spawn that fails on start answers SPAWN_FAILED and the instance is errored", async () => {
  const { supervisor, processes, clock, instance } = await running();
  await supervisor.stop([instance]);
  processes.spawn = () => {
    throw new SpawnError("program not found: /gone");
  };
  const start = track(supervisor.start([instance]));
  await clock.advance(0);
  const r = start.get();
  assert(r !== "pending" && !r.ok && r.code === "SPAWN_FAILED", JSON.stringify(r));
  assert(/program not found: \/gone/.test(r.message));
  assertEquals(instance.state, "errored");
});

Deno.test("delete overtaken by a start removes nothing and answers superseded", async () => {
  const { supervisor, clock, instance } = await running({ stubborn: true });
  const del = track(supervisor.delete([instance]));
  await settle();
  const start = track(supervisor.start([instance]));
  await clock.advance(1_000);
  const r = del.get();
  assert(r !== "pending" && !r.ok && r.code === "SUPERSEDED", JSON.stringify(r));
  assertEquals(start.get(), { ok: true });
  assertEquals(supervisor.apps().length, 1);
});

Deno.test("a reason is shown only while it explains the state", async () => {
  const { supervisor, clock, instance, processes } = await running();
  processes.children[0]!.exit({ code: 1, signal: null });
  await clock.advance(0);
  assertEquals(instance.state, "launching");
  assertEquals(instance.snapshot().reason, "exited with code 1; restarted");
  await clock.advance(100);
  assertEquals(instance.state, "online");
  assertEquals(instance.snapshot().reason, null);
  // The last exit stays what its event said, while the new process runs.
  assertEquals([instance.snapshot().exit_code, instance.snapshot().exit_signal], [1, null]);
  await supervisor.stop([instance]);
});

Deno.test("delete and scale down name what they removed, so per-instance state can go (#17)", async () => {
  const removed: Array<{ instanceIds: number[]; apps: string[] }> = [];
  const { supervisor, clock } = fakeSupervisor({ onRemoved: (r) => void removed.push(r) });
  const spec = fakeSpec({ name: "web", instances: 3 });
  const instances = await supervisor.create(spec);
  await clock.advance(spec.min_uptime_ms);
  const ids = instances.map((i) => i.id);
  const scaling = supervisor.scale("web", 1);
  await clock.advance(0);
  await scaling;
  assertEquals(removed, [{ instanceIds: ids.slice(1), apps: [] }]);
  const deleting = supervisor.delete(supervisor.resolve(["web"]));
  await clock.advance(0);
  assertEquals(await deleting, ["web"]);
  assertEquals(removed[1], { instanceIds: ids.slice(0, 1), apps: ["web"] });
  assertEquals(supervisor.apps().length, 0);
});
