/**
 * pm2's `save`, `resurrect` and `update`. Adasa writes every change to adasa.db as it
 * happens and a starting daemon brings back every instance whose desired state is up, so:
 * `save` has nothing to write, `resurrect` makes sure a daemon runs (which restores the
 * apps), and `update` restarts the daemon so a new version takes over the same apps.
 */
import type { HelloInfo } from "../../src/protocol/messages.ts";
import { connectOrStart, stopDaemonAndWait, tryConnect } from "../daemon_process.ts";
import { print } from "../render/io.ts";
import { usageError } from "../usage_error.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  if (parsed.positionals.length) throw usageError(`adasa ${parsed.command} takes no arguments`);
  if (parsed.command === "update") await stopDaemonAndWait(ctx.home);
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
