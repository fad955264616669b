/**
 * pm2's `save`, `resurrect` and `update`. Adasa writes every change to adasa.db as it
 * happens and a starting daemon brings back every instance whose desired state is up, so:
 * `save` has nothing to write, `resurrect` makes sure a daemon runs (which restores the
 * apps), and `update` restarts the daemon so a new version takes over the same apps.
 */
import type { HelloInfo } from "../../src/protocol/messages.ts";
import { AdasaError } from "../../src/protocol/errors.ts";
import { connectOrStart, tryConnect } from "../daemon_process.ts";
import { print } from "../render/io.ts";
import { usageError } from "../usage_error.ts";

const STOP_TIMEOUT_MS = 60_000;
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  if (parsed.positionals.length) throw usageError(`adasa ${parsed.command} takes no arguments`);
  if (parsed.command === "update") await stopDaemon(ctx.home);
  const wasRunning = parsed.command === "resurrect" ? await isRunning(ctx.home) : true;
  // No "starting one" notice: starting a daemon is what resurrect and update are for.
  await using client = await connectOrStart({ home: ctx.home });
  const rows = await client.request("list", {});
  const hello = await client.request("hello", {});
  const up = rows.filter((row) => row.desired === "up").length;
  const summary = { command: parsed.command, instances: rows.length, desired_up: up };
  if (ctx.json) {
    print(JSON.stringify({ ...summary, pid: hello.pid, database: `${hello.home}/adasa.db` }));
  } else print(message(parsed.command, { rows: rows.length, up, wasRunning, hello }));
  return 0;
}

/** Stops the daemon (its apps keep desired up) and waits until its process is gone. */
async function stopDaemon(home: string): Promise<void> {
  const client = await tryConnect(home);
  if (!client) return;
  const { pid } = await client.request("daemon_stop");
  client.close();
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      throw new AdasaError("INTERNAL", `Daemon ${pid} did not stop within 60 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function isAlive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return false; // no /proc entry: gone
  }
}

async function isRunning(home: string): Promise<boolean> {
  const client = await tryConnect(home);
  client?.close();
  return client !== null;
}

function message(
  command: string,
  o: { rows: number; up: number; wasRunning: boolean; hello: HelloInfo },
): string {
  const db = `${o.hello.home}/adasa.db`;
  switch (command) {
    case "save":
      return `Nothing to save: every change is already in ${db} (${o.rows} instances, ${o.up} to run at daemon start)`;
    case "resurrect":
      return o.wasRunning
        ? `The daemon (pid ${o.hello.pid}) is running: its ${o.rows} instances are as stored in ${db}`
        : `Daemon started (pid ${o.hello.pid}): ${o.up} of ${o.rows} instances restored from ${db}`;
    default:
      return `Daemon restarted (pid ${o.hello.pid}, version ${o.hello.version}): ${o.up} of ${o.rows} instances restored from ${db}`;
  }
}
