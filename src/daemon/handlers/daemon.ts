/** Ops about the daemon itself: hello, ping, daemon_status, daemon_stop. */
import { type HelloInfo, PROTOCOL_VERSION, VERSION } from "../../protocol/mod.ts";
import { openFileLimit } from "../../supervisor/mod.ts";
import type { DaemonContext } from "../context.ts";
import type { Handlers } from "./_types.ts";

export function daemonHandlers(
  ctx: DaemonContext,
): Handlers<"hello" | "ping" | "daemon_status" | "daemon_stop"> {
  return {
    hello: {
      kind: "unary",
      run: (): HelloInfo => ({
        version: VERSION,
        protocol: PROTOCOL_VERSION,
        pid: Deno.pid,
        home: ctx.paths.home,
        started_at: ctx.startedAt,
      }),
    },
    ping: { kind: "unary", run: () => "pong" },
    daemon_status: {
      kind: "unary",
      run: () => ({
        version: VERSION,
        protocol: PROTOCOL_VERSION,
        pid: Deno.pid,
        home: ctx.paths.home,
        started_at: ctx.startedAt,
        uptime_ms: Date.now() - ctx.startedAt,
        database: ctx.paths.db,
        schema_version: ctx.store.migrations.to,
        store_warnings: ctx.storeWarnings,
        persist_errors: ctx.counters.persistErrors,
        dropped_samples: ctx.monitoring.droppedSamples,
        apps: ctx.supervisor.apps().length,
        instances: ctx.supervisor.apps().reduce((n, app) => n + app.instances.length, 0),
        memory_rss: Deno.memoryUsage().rss,
        memory_heap_used: Deno.memoryUsage().heapUsed,
        hostname: Deno.hostname(),
        exits: ctx.fleet.exits(),
        restarts: ctx.fleet.restarts(),
        log_bytes: ctx.logs.capture.writtenBytes(),
        sample_tick: ctx.monitoring.tickFigures(),
        open_files: { open: openFiles(), limit: openFileLimit() },
      }),
    },
    daemon_stop: {
      kind: "unary",
      run: () => {
        // Reply first, then stop: the shutdown waits for the reply to be written.
        setTimeout(() => ctx.requestShutdown(), 0);
        return { pid: Deno.pid };
      },
    },
  };
}

/** Descriptors this process holds, from /proc/self/fd; null when it cannot be read. */
function openFiles(): number | null {
  try {
    let n = 0;
    for (const _ of Deno.readDirSync("/proc/self/fd")) n++;
    return n - 1; // the listing's own descriptor
  } catch {
    return null;
  }
}
