import { assert, assertEquals } from "../_helpers/assert.ts";
import { pidAlive, startDaemon } from "../_helpers/daemon.ts";
import {
  events,
  instance,
  list,
  processesOfInstance,
  startApp,
  waitForInstance,
} from "../_helpers/apps.ts";
import { waitFor } from "../_helpers/wait.ts";
import { processes } from "../_helpers/proc.ts";

Deno.test("10 concurrent restarts and starts of one app never make two live processes for an id", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const [row] = await startApp(client, {
    name: "racer",
    command: "sleep",
    args: ["60"],
    min_uptime_ms: 50,
  });
  const ops = Array.from(
    { length: 10 },
    (_, i) => client.request(i % 2 ? "start" : "restart", { targets: ["racer"] }),
  );
  // Sample while the commands run: at no moment may two processes carry this id.
  let worst = 0;
  const sampling = (async () => {
    for (let i = 0; i < 40; i++) {
      worst = Math.max(worst, processesOfInstance(daemon.home, row!.id).length);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  await Promise.all([...ops, sampling]);
  const settled = await waitForInstance(client, row!.id, (r) => r.status === "online", "online");
  assertEquals(processesOfInstance(daemon.home, row!.id), [settled.pid!]);
  assert(worst <= 1, `saw ${worst} live processes for one id`);
});

Deno.test("reload restarts one instance at a time, never all down", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const rows = await startApp(client, {
    name: "web",
    command: "sleep",
    args: ["60"],
    instances: 3,
    min_uptime_ms: 150,
  });
  for (const r of rows) await waitForInstance(client, r.id, (x) => x.status === "online", "online");
  const before = new Map(rows.map((r) => [r.id, r.pid]));
  let minOnline = 3;
  let done = false;
  const watcher = (async () => {
    await using watch = await daemon.connect();
    while (!done) {
      const online = (await list(watch)).filter((r) => r.status === "online").length;
      minOnline = Math.min(minOnline, online);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const reloaded = await client.request("reload", { targets: ["web"] });
  done = true;
  await watcher;
  assert(minOnline >= 2, `only ${minOnline} instance(s) online during the reload`);
  for (const r of reloaded) {
    assertEquals(r.status, "online");
    assert(r.pid !== before.get(r.id), "every instance got a new process");
  }
});

Deno.test("restart keeps the start environment; --update-env takes the new one", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const out = `${daemon.home}/color.txt`;
  const path = Deno.env.get("PATH") ?? "/usr/bin:/bin";
  const [row] = await client.request("start", {
    app: {
      name: "envapp",
      command: "/bin/sh",
      args: ["-c", `echo $COLOR >> ${out}; exec sleep 60`],
      cwd: "/tmp",
      base_env: { PATH: path, COLOR: "red" },
    },
  });
  await waitFor(() => readLines(out), (l) => l.length === 1, { what: "one line" });
  await client.request("restart", { targets: ["envapp"] });
  await waitFor(() => readLines(out), (l) => l.length === 2, { what: "two lines" });
  await client.request("restart", {
    targets: [String(row!.id)],
    update_env: { PATH: path, COLOR: "blue" },
  });
  const lines = await waitFor(() => readLines(out), (l) => l.length === 3, { what: "three lines" });
  assertEquals(lines, ["red", "red", "blue"]);
});

Deno.test("scale adds instances with new ids and removes the highest; ids are never reused", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  await startApp(client, { name: "pool", command: "sleep", args: ["60"] });
  const up = await client.request("scale", { app: "pool", instances: 3 });
  assertEquals(up.map((r) => r.instance), [0, 1, 2]);
  const removedIds = up.slice(1).map((r) => r.id);
  const down = await client.request("scale", { app: "pool", instances: 1 });
  assertEquals(down.length, 1);
  const again = await client.request("scale", { app: "pool", instances: 2 });
  const newId = again.find((r) => r.instance === 1)!.id;
  assert(!removedIds.includes(newId), `id ${newId} was reused`);
  assert(newId > Math.max(...removedIds));
});

Deno.test("signal delivers to running instances", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const out = `${daemon.home}/usr1.txt`;
  const [row] = await startApp(client, {
    name: "sig",
    command: "/bin/sh",
    args: [
      "-c",
      `trap 'echo got >> ${out}' USR1; echo ready >> ${out}; while :; do sleep 0.05; done`,
    ],
  });
  await waitFor(() => readLines(out), (l) => l.includes("ready"), { what: "ready" });
  const reply = await client.request("signal", {
    signal: "SIGUSR1",
    targets: ["sig"],
  });
  assertEquals(reply.ids, [row!.id]);
  await waitFor(() => readLines(out), (l) => l.includes("got"), { what: "the trap to run" });
});

Deno.test("1000 start/stop cycles leave no zombies and no growth in the daemon's open files", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const [row] = await startApp(client, { name: "cycler", command: "sleep", args: ["60"] });
  await client.request("stop", { targets: ["cycler"] });
  const fdsBefore = openFiles(daemon.pid);
  const cycles = Number(Deno.env.get("ADASA_TEST_CYCLES") ?? 1000);
  for (let i = 0; i < cycles; i++) {
    await client.request("start", { targets: ["cycler"] });
    await client.request("stop", { targets: ["cycler"] });
  }
  const after = await instance(client, row!.id);
  assertEquals(after.status, "stopped");
  const starts = (await events(client, [String(row!.id)])).filter((e) => e.event === "start");
  assertEquals(starts.length, cycles + 1);
  assertEquals(zombieChildren(daemon.pid), []);
  const fdsAfter = openFiles(daemon.pid);
  assert(fdsAfter <= fdsBefore + 2, `open files grew from ${fdsBefore} to ${fdsAfter}`);
  assert(after.pid === null || !pidAlive(after.pid));
});

function readLines(path: string): string[] {
  try {
    return Deno.readTextFileSync(path).split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

function openFiles(pid: number): number {
  return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
}

function zombieChildren(parent: number): number[] {
  return [...processes()].filter((p) => p.state === "Z" && p.ppid === parent).map((p) => p.pid);
}
