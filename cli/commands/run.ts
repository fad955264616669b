/**
 * `adasa run <file|script>`: pm2-runtime for containers. A daemon of its own (a temp home
 * unless ADASA_HOME is set) runs as this process's child; the apps start as `adasa start`
 * would start them; every line they write comes out here, prefixed `app#id | `, on stdout or
 * stderr as written. SIGTERM or SIGINT stops every app gracefully and exits 0; when every app
 * has given up (none running or about to restart) it exits 1 (0 if all exited with code 0).
 * As PID 1 it also reaps orphaned zombies.
 */
import { AdasaClient } from "../../src/ipc/client.ts";
import { AdasaError } from "../../src/protocol/errors.ts";
import type { InstanceInfo } from "../../src/protocol/messages.ts";
import { spawnAttachedDaemon } from "../daemon_process.ts";
import { print, printError } from "../render/io.ts";
import { usageError } from "../usage_error.ts";
import type { CommandContext, Parsed } from "./mod.ts";

const START_TIMEOUT_MS = 15_000;
const WATCH_INTERVAL_MS = 500;
const ACTIVE = new Set(["launching", "online", "reloading", "stopping", "waiting"]);

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  if (parsed.positionals.length === 0) throw usageError("usage: adasa run <file|script> [options]");
  const ownHome = Deno.env.get("ADASA_HOME")
    ? null
    : await Deno.makeTempDir({ prefix: "adasa-run-" });
  const home = ownHome ?? ctx.home;
  const daemon = spawnAttachedDaemon(home);
  const reaper = Deno.pid === 1
    ? (await import("../reaper.ts")).startReaper(() => new Set([daemon.pid]))
    : null;
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    printError(`adasa run: ${why}: stopping every app`);
    try {
      daemon.kill("SIGTERM");
    } catch { /* already gone */ }
  };
  const onSignal = (signal: Deno.Signal) => () => stop(signal);
  const listeners = (["SIGTERM", "SIGINT"] as const).map((s) => [s, onSignal(s)] as const);
  for (const [signal, listener] of listeners) Deno.addSignalListener(signal, listener);
  let code = 0;
  try {
    const connect = () => AdasaClient.connect({ home });
    await waitForDaemon(connect, daemon);
    const since = Date.now();
    const start = await import("./start.ts");
    await start.run({ ...parsed, command: "start" }, { ...ctx, home, json: false, connect });
    // From the start on: the lines written while `start` waited are not lost.
    const follow = forwardOutput(connect, since).catch((error) => {
      // The stream ends with the daemon when we stop it; before that, losing it is news.
      if (!stopping) printError(`adasa run: app output no longer forwarded: ${error.message}`);
    });
    const verdict = await watchApps(connect, () => stopping);
    if (verdict !== null) {
      code = verdict;
      stop(code === 0 ? "every app has exited" : "every app has given up");
    }
    await daemon.status;
    await follow;
  } catch (error) {
    stop("start failed");
    await daemon.status;
    throw error;
  } finally {
    for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
    reaper?.[Symbol.dispose]();
    if (ownHome) await Deno.remove(ownHome, { recursive: true });
  }
  return code;
}

async function waitForDaemon(
  connect: () => Promise<AdasaClient>,
  daemon: Deno.ChildProcess,
): Promise<void> {
  let exited: number | null = null;
  daemon.status.then((s) => (exited = s.code));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (true) {
    try {
      (await connect()).close();
      return;
    } catch (error) {
      if (exited !== null) {
        throw new AdasaError("UNAVAILABLE", `adasa run: the daemon exited with code ${exited}`);
      }
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Prints every app's new lines until the daemon goes away. */
async function forwardOutput(connect: () => Promise<AdasaClient>, since: number): Promise<void> {
  await using client = await connect();
  const encoder = new TextEncoder();
  for await (const frame of client.stream("logs", { targets: [], follow: true, since })) {
    for (const line of frame.data) {
      const text = `${line.app}#${line.instance_id} | ${line.text}\n`;
      const out = line.stream === "err" ? Deno.stderr : Deno.stdout;
      const bytes = encoder.encode(text);
      for (let at = 0; at < bytes.length;) at += await out.write(bytes.subarray(at));
    }
  }
}

/** Resolves with an exit code once no app is running or about to; null when stopped first. */
async function watchApps(
  connect: () => Promise<AdasaClient>,
  stopped: () => boolean,
): Promise<number | null> {
  await using client = await connect();
  while (!stopped()) {
    let rows: InstanceInfo[];
    try {
      rows = await client.request("list");
    } catch (error) {
      if (stopped()) return null; // the daemon is shutting down on our signal
      throw error;
    }
    if (rows.length > 0 && rows.every((row) => !ACTIVE.has(row.status))) {
      for (const row of rows) {
        print(
          `adasa run: ${row.name}#${row.id} ${row.status}${row.reason ? `: ${row.reason}` : ""}`,
        );
      }
      return rows.every((row) => row.status === "exited" && row.exit_code === 0) ? 0 : 1;
    }
    await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
  }
  return null;
}
