/**
 * Issue #18: `describe` tells what the events say. Its "last exit" is the last `exit` event
 * (signal or code, never `code null`), its "why" only the reason of the transition into the
 * current state (an instance online again keeps no old crash reason), no internal app id, and
 * its logs line names the pm2-style files the app writes.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { startDaemon, type TestDaemon } from "../_helpers/daemon.ts";
import { events, startApp, waitForInstance } from "../_helpers/apps.ts";
import { formatTime } from "../../cli/render/units.ts";
import type { EventRecord } from "../../src/protocol/messages.ts";

/** The value of `key` in `adasa describe NAME`'s output, and the whole output. */
async function describeLine(d: TestDaemon, name: string, key: string) {
  const out = await d.cli(["describe", name]);
  assertEquals(out.code, 0, out.stderr);
  const line = out.stdout.split("\n").find((l) => l.trimStart().startsWith(`${key}  `));
  return { value: line?.trimStart().slice(key.length).trim() ?? "", text: out.stdout };
}

function lastExitOf(timeline: EventRecord[]): EventRecord {
  const exits = timeline.filter((e) => e.event === "exit");
  assert(exits.length > 0, "an exit event");
  return exits[exits.length - 1]!;
}

Deno.test("describe's last exit and why follow the events; no internal ids (#18)", async () => {
  await using d = await startDaemon();
  const dir = await Deno.makeTempDir({ prefix: "adasa-18-" });
  try {
    // Fails twice before min_uptime, then stays up.
    const script = `n=$(cat ${dir}/count 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${dir}/count
      if [ $n -le 2 ]; then echo boom >&2; exit 1; fi; exec sleep 600`;
    await using client = await d.connect();
    const [row] = await startApp(client, {
      name: "web",
      command: "sh",
      args: ["-c", script],
      min_uptime: "300ms",
      out_file: `${dir}/web-out.log`,
      error_file: `${dir}/web-err.log`,
    });
    const id = row!.id;
    await waitForInstance(client, id, (r) => r.status === "online" && r.restarts === 2, "online");

    const crash = lastExitOf(await events(client, ["web"]));
    assertEquals(crash.exit_code, 1);
    let status = await describeLine(d, "web", "status");
    assertEquals(status.value, "online", status.text);
    let lastExit = await describeLine(d, "web", "last exit");
    assert(lastExit.value.startsWith(`code=1 at ${formatTime(crash.at)} `), lastExit.text);
    const name = await describeLine(d, "web", "name");
    assertEquals(name.value, `web (id ${id}, instance 0 of web)`);
    assert(!/of app \d/.test(name.text), name.text);
    const logs = await describeLine(d, "web", "logs");
    assert(
      logs.value.endsWith(`out_file ${dir}/web-out.log, error_file ${dir}/web-err.log`),
      logs.text,
    );

    // Restarted by the user: the old process ends by SIGTERM, as its event says.
    assertEquals((await d.cli(["restart", "web"])).code, 0);
    await waitForInstance(client, id, (r) => r.status === "online" && r.restarts === 3, "online");
    const restarted = lastExitOf(await events(client, ["web"]));
    assertEquals(restarted.signal, "SIGTERM");
    lastExit = await describeLine(d, "web", "last exit");
    assert(
      lastExit.value.startsWith(`signal=SIGTERM at ${formatTime(restarted.at)} `),
      lastExit.text,
    );
    status = await describeLine(d, "web", "status");
    assertEquals(status.value, "online", status.text);

    // A one-shot job that ends with code 0: exited, code=0, never `code null`.
    const [job] = await startApp(client, {
      name: "job",
      command: "sh",
      args: ["-c", "exit 0"],
      restart: "never",
    });
    await waitForInstance(client, job!.id, (r) => r.status === "exited", "exited");
    const done = lastExitOf(await events(client, ["job"]));
    lastExit = await describeLine(d, "job", "last exit");
    assert(lastExit.value.startsWith(`code=0 at ${formatTime(done.at)}`), lastExit.text);
    assert(!lastExit.text.includes("null"), lastExit.text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("describe says why an instance gave up, from its exit event (#18)", async () => {
  await using d = await startDaemon();
  await using client = await d.connect();
  const [row] = await startApp(client, {
    name: "crasher",
    command: "sh",
    args: ["-c", "exit 3"],
    max_restarts: 1,
  });
  await waitForInstance(client, row!.id, (r) => r.status === "errored", "errored");
  const crash = lastExitOf(await events(client, ["crasher"]));
  assert(crash.reason, "the exit event has a reason");
  const status = await describeLine(d, "crasher", "status");
  assertEquals(status.value, `errored: ${crash.reason}`, status.text);
  const lastExit = await describeLine(d, "crasher", "last exit");
  assert(lastExit.value.startsWith(`code=3 at ${formatTime(crash.at)} `), lastExit.text);
  assertEquals((await d.cli(["delete", "crasher"])).code, 0);
});
