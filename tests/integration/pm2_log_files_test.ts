/**
 * #15.4: the pm2-style files an app names hold what pm2 writes there (the bytes as they came,
 * a date before each line only when asked), per instance unless merged, none for /dev/null;
 * `tail -f` follows them, a rotated (moved) file is opened anew, `adasa flush` empties them,
 * and `adasa logs` still answers from Adasa's own store.
 */
import type { AdasaClient } from "../../src/ipc/client.ts";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startApp } from "../_helpers/apps.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { waitFor } from "../_helpers/wait.ts";

async function textOf(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  }
}

function fileHas(path: string, want: (text: string) => boolean, what: string): Promise<string> {
  return waitFor(() => textOf(path), want, { what: `${what} in ${path}`, timeoutMs: 15_000 });
}

async function logLines(client: AdasaClient, app: string, since: number): Promise<string[]> {
  const out: string[] = [];
  for await (const frame of client.stream("logs", { targets: [app], since })) {
    for (const line of frame.data) out.push(`${line.stream} ${line.text}`);
  }
  return out;
}

Deno.test("out_file, error_file and log_file get the app's bytes unchanged; adasa logs --since still answers", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const dir = await Deno.makeTempDir({ prefix: "adasa-pm2-logs-" });
  try {
    const since = Date.now() - 1000;
    await startApp(client, {
      name: "web",
      command: "sh",
      args: [
        "-c",
        "echo one; echo oops >&2; printf 'two\\n'; printf 'no newline'; exec sleep 3600",
      ],
      out_file: `${dir}/nested/web-out.log`,
      error_file: `${dir}/web-error.log`,
      log_file: `${dir}/web.log`,
    });
    await fileHas(`${dir}/nested/web-out.log`, (t) => t === "one\ntwo\nno newline", "stdout");
    await fileHas(`${dir}/web-error.log`, (t) => t === "oops\n", "stderr");
    const combined = await fileHas(`${dir}/web.log`, (t) => t.length === 23, "both streams");
    assertEquals(
      [...combined.split("")].sort().join(""),
      [..."one\ntwo\nno newlineoops\n"].sort().join(""),
    );
    const lines = await waitFor(() => logLines(client, "web", since), (l) => l.length === 3, {
      what: "lines in adasa logs",
    });
    assertEquals(lines.sort(), ["err oops", "out one", "out two"]);
    // No file of this app in ADASA_HOME is named like pm2's; Adasa's own store is where it was.
    assert((await Array.fromAsync(Deno.readDir(`${daemon.home}/logs/web`))).length > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("time and log_date_format put pm2's date before each line of the pm2-style files only", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const dir = await Deno.makeTempDir({ prefix: "adasa-pm2-logs-" });
  try {
    await startApp(client, {
      name: "timed",
      command: "sh",
      args: ["-c", "echo a; echo b; exec sleep 3600"],
      out_file: `${dir}/timed.log`,
      time: true,
    });
    await startApp(client, {
      name: "dated",
      command: "sh",
      args: ["-c", "echo c >&2; exec sleep 3600"],
      error_file: `${dir}/dated.log`,
      log_date_format: "YYYY-MM-DD HH:mm Z",
    });
    const timed = await fileHas(`${dir}/timed.log`, (t) => t.split("\n").length === 3, "2 lines");
    assertMatch(timed, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d: a\n\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d: b\n$/);
    const dated = await fileHas(`${dir}/dated.log`, (t) => t.endsWith("\n"), "a line");
    assertMatch(dated, /^\d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d: c\n$/);
    const cli = await daemon.cli(["logs", "timed", "--raw"]);
    assertEquals(cli.stdout, "a\nb\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("instances write <name>-<index>.log unless merge_logs; /dev/null writes nothing", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const dir = await Deno.makeTempDir({ prefix: "adasa-pm2-logs-" });
  try {
    const script = 'echo "hello from $NODE_APP_INSTANCE"; exec sleep 3600';
    await startApp(client, {
      name: "apart",
      command: "sh",
      args: ["-c", script],
      instances: 2,
      out_file: `${dir}/apart-out.log`,
    });
    // pm2's -<pm_id> is the instance's index here: the same names after a daemon restart.
    for (const index of [0, 1]) {
      await fileHas(`${dir}/apart-out-${index}.log`, (t) => t === `hello from ${index}\n`, "own");
    }
    assertEquals(await textOf(`${dir}/apart-out.log`), "");
    await startApp(client, {
      name: "merged",
      command: "sh",
      args: ["-c", script],
      instances: 2,
      merge_logs: true,
      out_file: `${dir}/merged.log`,
    });
    const text = await fileHas(`${dir}/merged.log`, (t) => t.split("\n").length === 3, "both");
    assertEquals(
      text.split("\n").filter(Boolean).sort(),
      ["hello from 0", "hello from 1"],
    );
    await startApp(client, {
      name: "quiet",
      command: "sh",
      args: ["-c", "echo hidden; exec sleep 3600"],
      out_file: "/dev/null",
    });
    await waitFor(() => daemon.cli(["logs", "quiet", "--raw"]), (r) => r.stdout === "hidden\n", {
      what: "quiet's line in adasa logs",
    });
    const files = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    assertEquals(files, ["apart-out-0.log", "apart-out-1.log", "merged.log"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a pm2-style file can be followed with tail -f, is reopened after a move and emptied by flush", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const dir = await Deno.makeTempDir({ prefix: "adasa-pm2-logs-" });
  const path = `${dir}/ticker.log`;
  const tail = new Deno.Command("tail", { args: ["-n", "+1", "-f", path], stdout: "piped" });
  let follower: Deno.ChildProcess | null = null;
  try {
    await startApp(client, {
      name: "ticker",
      command: "sh",
      args: ["-c", 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.1; done'],
      out_file: path,
    });
    await fileHas(path, (t) => t.includes("tick 1\n"), "a first tick");
    follower = tail.spawn();
    const reader = follower.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!/tick \d+\n[^]*tick \d+\n[^]*tick \d+\n/.test(seen)) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    assertMatch(seen, /^tick 1\n/);
    await reader.cancel();
    // logrotate without copytruncate: the file is moved, a new one must appear.
    await Deno.rename(path, `${path}.1`);
    await fileHas(path, (t) => /^tick \d+\n/.test(t), "ticks in a new file after the move");
    const flushed = await daemon.cli(["flush", "ticker"]);
    assertEquals(flushed.code, 0, flushed.stderr);
    const after = await textOf(path);
    assert(!after.includes("tick 1\n"), "flush did not empty the file");
  } finally {
    if (follower) {
      try {
        follower.kill("SIGKILL");
      } catch { /* gone */ }
      await follower.status;
    }
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("adasa start -o, -e and --time write pm2-style files as pm2's flags do", async () => {
  await using daemon = await startDaemon();
  const dir = await Deno.makeTempDir({ prefix: "adasa-pm2-logs-" });
  try {
    const started = await daemon.cli([
      "start",
      "--name",
      "flags",
      "-o",
      `${dir}/out.log`,
      "-e",
      `${dir}/err.log`,
      "--time",
      "--",
      "sh",
      "-c",
      "echo to-out; echo to-err >&2; exec sleep 3600",
    ], { cwd: dir });
    assertEquals(started.code, 0, started.stderr);
    const out = await fileHas(`${dir}/out.log`, (t) => t.endsWith("\n"), "stdout");
    assertMatch(out, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d: to-out\n$/);
    const err = await fileHas(`${dir}/err.log`, (t) => t.endsWith("\n"), "stderr");
    assertMatch(err, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d: to-err\n$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an ecosystem file's out, error and log_date_format land relative to the app's cwd, per instance", async () => {
  await using daemon = await startDaemon();
  const dir = await Deno.makeTempDir({ prefix: "adasa-pm2-logs-" });
  try {
    await Deno.writeTextFile(
      `${dir}/ecosystem.json`,
      JSON.stringify({
        apps: [{
          name: "eco",
          script: "sh",
          args: ["-c", 'echo "i am $NODE_APP_INSTANCE"; exec sleep 3600'],
          instances: 2,
          out: "./logs/eco-out.log",
          error: "./logs/eco-error.log",
          log_date_format: "YYYY",
        }],
      }),
    );
    const started = await daemon.cli(["start", "ecosystem.json"], { cwd: dir });
    assertEquals(started.code, 0, started.stderr);
    const year = new Date().getFullYear();
    for (const index of [0, 1]) {
      const text = await fileHas(
        `${dir}/logs/eco-out-${index}.log`,
        (t) => t.endsWith("\n"),
        "a line",
      );
      assertMatch(text, new RegExp(`^(${year}|${year + 1}): i am ${index}\\n$`));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
