/** `adasa daemon start|stop|status|restart|run`. */
import type { HelloInfo } from "../../src/protocol/messages.ts";
import {
  connectOrStart,
  runDaemonForeground,
  stopDaemonAndWait,
  tryConnect,
} from "../daemon_process.ts";
import { print } from "../render/io.ts";
import { formatDuration, formatTime } from "../render/units.ts";
import { formatSize } from "../../src/model/units.ts";
import { usageError } from "../usage_error.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const [action, ...extra] = parsed.positionals;
  if (extra.length) throw usageError(`adasa daemon ${action}: unexpected "${extra[0]}"`);
  switch (action) {
    case "start":
      return await start(ctx);
    case "stop":
      return await stop(ctx);
    case "restart":
      await stop(ctx);
      return await start(ctx);
    case "status":
      return await status(ctx);
    case "run":
      return await runDaemonForeground(ctx.home);
    default:
      throw usageError(
        `adasa daemon: ${
          action === undefined ? "name an action" : `unknown action "${action}"`
        }; use start, stop, status, restart or run`,
      );
  }
}

async function start(ctx: CommandContext): Promise<number> {
  const existing = await tryConnect(ctx.home);
  await using client = existing ?? await connectOrStart({ home: ctx.home });
  const hello = await client.request("hello");
  if (ctx.json) print(JSON.stringify({ ...hello, already_running: existing !== null }));
  else {print(
      `${
        existing ? "Daemon already running" : "Daemon started"
      } (pid ${hello.pid}, home ${hello.home})`,
    );}
  return 0;
}

async function stop(ctx: CommandContext): Promise<number> {
  const pid = await stopDaemonAndWait(ctx.home);
  if (pid === null) {
    if (ctx.json) print(JSON.stringify({ running: false }));
    else print(`No daemon running on ${ctx.home}`);
  } else if (ctx.json) print(JSON.stringify({ stopped: pid }));
  else print(`Daemon stopped (pid ${pid})`);
  return 0;
}

interface Status extends HelloInfo {
  uptime_ms: number;
  database: string;
  schema_version: number;
  store_warnings: string[];
  persist_errors: number;
  apps: number;
  instances: number;
  memory_rss: number;
  open_files?: { open: number | null; limit: number | null };
  sample_tick?: { last_ms: number | null; median_ms: number | null; instances: number };
}

async function status(ctx: CommandContext): Promise<number> {
  const client = await tryConnect(ctx.home);
  if (!client) {
    if (ctx.json) print(JSON.stringify({ running: false, home: ctx.home }));
    else print(`Daemon not running (home ${ctx.home})`);
    return 5;
  }
  await using _ = client;
  const s = await client.request("daemon_status");
  if (ctx.json) {
    print(JSON.stringify({ running: true, ...s }));
    return 0;
  }
  print([
    `Daemon running: pid ${s.pid}, version ${s.version} (protocol ${s.protocol})`,
    `home      ${s.home}`,
    `since     ${formatTime(s.started_at)} (up ${formatDuration(s.uptime_ms)})`,
    `database  ${s.database} (schema ${s.schema_version})${
      s.persist_errors ? `, ${s.persist_errors} failed writes` : ""
    }`,
    `apps      ${s.apps} (${s.instances} instances)`,
    `memory    ${formatSize(s.memory_rss)} RSS`,
    ...(s.open_files
      ? [`files     ${s.open_files.open ?? "?"} open of ${s.open_files.limit ?? "?"}`]
      : []),
    ...(s.sample_tick?.last_ms != null
      ? [
        `sampling  ${s.sample_tick.instances} instances in ${
          s.sample_tick.last_ms.toFixed(1)
        } ms ` +
        `(median ${s.sample_tick.median_ms!.toFixed(1)} ms)`,
      ]
      : []),
    ...s.store_warnings.map((w) => `WARNING   ${w}`),
  ].join("\n"));
  return 0;
}
