/**
 * The composition root: takes the home's lock, opens the store, builds the supervisor,
 * wires persistence and output capture into it, restores the registry, and serves the socket
 * until SIGTERM, SIGINT or `daemon_stop`. Returns the exit code for main.ts.
 */
import { IpcServer, type OpTable } from "../ipc/server.ts";
import { configureLogging, getLogger } from "../logger.ts";
import { AdasaError, VERSION } from "../protocol/mod.ts";
import { Store } from "../store/mod.ts";
import { Supervisor } from "../supervisor/mod.ts";
import type { DaemonContext } from "./context.ts";
import { buildOpTable } from "./handlers/mod.ts";
import { acquireLock, removeStaleSocket, writePidFile } from "./lock.ts";
import { startLogWiring } from "./log_wiring.ts";
import { becomeSubreaper } from "./subreaper.ts";
import { Triggers } from "./triggers.ts";
import { DEFAULT_SAMPLE_INTERVAL_MS, startMonitoring } from "./monitoring.ts";
import { daemonPaths, ensureHome } from "./paths.ts";
import { markInheritedCloseOnExec } from "./inherited_fds.ts";
import { readStartTicks } from "../monitor/mod.ts";
import { registryOver } from "./registry_adapter.ts";
import { FleetCounters } from "./fleet_counters.ts";
import { CHILD_TAG, restoreRegistry } from "./restore.ts";
import { settingsFromEnv, WebService } from "../web/mod.ts";

export interface DaemonOptions {
  home?: string;
  /** Also log to stderr (foreground `run`). */
  stderr: boolean;
  /** Where the migration files are (default: the repository's). */
  migrationsDir?: URL;
}

/** Runs the daemon until it is told to stop. */
export async function runDaemon(options: DaemonOptions): Promise<number> {
  // First, before anything is spawned: apps get their own stdio, not what we inherited.
  const inherited = markInheritedCloseOnExec();
  const paths = daemonPaths(options.home);
  ensureHome(paths);
  using _lock = acquireLock(paths);
  const closeLog = await configureLogging({ file: paths.log, stderr: options.stderr });
  const log = getLogger();
  if (inherited) log.warn("Inherited descriptors may reach apps: {why}", { why: inherited });
  let started: Supervisor | null = null;
  try {
    const checkAtOpenMaxBytes = checkSizeFromEnv(Deno.env.get("ADASA_CHECK_AT_OPEN_MAX_BYTES"));
    using store = Store.open(paths.db, {
      ...(options.migrationsDir ? { migrationsDir: options.migrationsDir } : {}),
      ...(checkAtOpenMaxBytes === undefined ? {} : { checkAtOpenMaxBytes }),
    });
    const storeWarnings: string[] = [];
    if (store.quarantined) {
      const q = store.quarantined;
      const warning =
        `Database ${q.path} was unusable (${q.reason}); moved to ${q.movedTo} and started fresh`;
      storeWarnings.push(warning);
      log.error(warning);
    }
    const counters = { persistErrors: 0 };
    let shutdown!: () => void;
    const stopped = new Promise<void>((resolve) => (shutdown = resolve));
    const logs = startLogWiring({ store, dir: paths.logsDir });
    let appsChanged = () => {};
    const fleet = new FleetCounters();
    let forgetRemoved = (ids: number[], apps: string[]) => fleet.forget(ids, apps);
    const registry = registryOver(store);
    const supervisor = new Supervisor({
      registry,
      onAppsChanged: () => appsChanged(),
      onTransition: (record) => fleet.observe(record),
      onRemoved: ({ instanceIds, apps }) => forgetRemoved(instanceIds, apps),
      now: Date.now,
      attachOutput: logs.attach,
      startTicksOf: (pid) => readStartTicks(pid),
      childTag: { [CHILD_TAG]: paths.home },
      readyDir: `${paths.home}/ready`,
      nodeDir: `${paths.home}/node`,
      onPersistError: (error) => {
        counters.persistErrors++;
        log.error("Could not write to the database: {error}", { error: String(error) });
      },
    });
    started = supervisor;
    using _subreaper = becomeSubreaper(() => supervisor.childPids());
    using monitoring = startMonitoring({
      store,
      supervisor,
      intervalMs: Number(Deno.env.get("ADASA_SAMPLE_INTERVAL_MS") ?? DEFAULT_SAMPLE_INTERVAL_MS),
      onTick: logs.flushIndex,
    });
    forgetRemoved = (ids, apps) => {
      fleet.forget(ids, apps);
      monitoring.forget(ids);
      for (const id of ids) logs.capture.forget(id);
      for (const app of apps) {
        logs.capture.forgetApp(app).catch((error) =>
          log.warn("Closing the logs of {app} failed: {error}", { app, error: String(error) })
        );
      }
    };
    using triggers = new Triggers(supervisor);
    appsChanged = () => triggers.sync();
    let ops: OpTable = {};
    await using web = new WebService({ home: paths.home, ops: () => ops });
    const ctx: DaemonContext = {
      paths,
      store,
      supervisor,
      logs,
      monitoring,
      triggers,
      web,
      startedAt: Date.now(),
      storeWarnings,
      counters,
      fleet,
      requestShutdown: shutdown,
    };
    const restored = await restoreRegistry(ctx);
    removeStaleSocket(paths.socket);
    ops = buildOpTable(ctx);
    await using _server = IpcServer.listen({
      path: paths.socket,
      ops,
      ...serverLimitsFromEnv((name) => Deno.env.get(name)),
      onWarning: (message) => log.warn("{message}", { message }),
      onInternalError: (error, request) =>
        log.error("Op {op} (request {id}) failed: {stack}", {
          op: request.op,
          id: request.id,
          stack: error instanceof Error ? error.stack : String(error),
        }),
    });
    writePidFile(paths.pidFile, Deno.pid);
    log.info("Adasa {version} started (pid {pid}, home {home})", {
      version: VERSION,
      pid: Deno.pid,
      home: paths.home,
    });
    triggers.sync();
    await resumeApps(ctx, restored.newBoot ? "daemon started after a reboot" : "daemon started");
    await startWebFromEnv(web);
    const checked = checkStoreLater(store, storeWarnings);
    const onSignal = () => shutdown();
    Deno.addSignalListener("SIGTERM", onSignal);
    Deno.addSignalListener("SIGINT", onSignal);
    await stopped;
    Deno.removeSignalListener("SIGTERM", onSignal);
    Deno.removeSignalListener("SIGINT", onSignal);
    log.info("Stopping: stopping every app, then closing");
    await web.stop();
    await supervisor.shutdown();
    await logs.close();
    await checked;
    removeStaleSocket(paths.socket);
    return 0;
  } catch (error) {
    // A daemon that fails after spawning leaves no orphan: its children are stopped first.
    await started?.shutdown().catch(() => {});
    if (error instanceof AdasaError) {
      log.fatal("{message}", { message: error.message });
      throw error;
    }
    log.fatal("Daemon failed: {stack}", { stack: (error as Error).stack ?? String(error) });
    throw error;
  } finally {
    await closeLog();
  }
}

/**
 * ADASA_MAX_CONNECTIONS and ADASA_IDLE_TIMEOUT_MS override the socket's defaults.
 *
 * @throws {AdasaError} INVALID_ARGUMENT naming the variable
 */
function serverLimitsFromEnv(
  get: (name: string) => string | undefined,
): { maxConnections?: number; idleTimeoutMs?: number } {
  const read = (name: string, min: number): number | undefined => {
    const raw = get(name);
    if (raw === undefined || raw === "") return undefined;
    if (!/^\d{1,9}$/.test(raw) || Number(raw) < min) {
      throw new AdasaError(
        "INVALID_ARGUMENT",
        `${name}: expected a whole number of at least ${min}, got "${raw.slice(0, 40)}"`,
      );
    }
    return Number(raw);
  };
  const maxConnections = read("ADASA_MAX_CONNECTIONS", 1);
  const idleTimeoutMs = read("ADASA_IDLE_TIMEOUT_MS", 100);
  return {
    ...(maxConnections === undefined ? {} : { maxConnections }),
    ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }),
  };
}

/** ADASA_CHECK_AT_OPEN_MAX_BYTES: databases up to this size are checked in full before use. */
function checkSizeFromEnv(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (!/^\d{1,15}$/.test(raw)) {
    throw new AdasaError(
      "INVALID_ARGUMENT",
      `ADASA_CHECK_AT_OPEN_MAX_BYTES: expected a whole number of bytes, got "${raw.slice(0, 40)}"`,
    );
  }
  return Number(raw);
}

/**
 * A large database's `quick_check`, after the daemon answers (in a worker thread). A failure
 * is shown by `daemon status`; the next start sets the file aside.
 */
async function checkStoreLater(store: Store, warnings: string[]): Promise<void> {
  try {
    const reason = await store.checkDeferred();
    if (reason === null) return;
    const warning = `Database ${store.path} failed its check (${reason}); ` +
      "it is set aside at the next daemon start";
    warnings.push(warning);
    getLogger().error(warning);
  } catch (error) {
    getLogger().error("Database check failed to run: {error}", { error: String(error) });
  }
}

/** ADASA_WEB_PORT serves the dashboard from the start; a bad setting is logged, not fatal. */
async function startWebFromEnv(web: WebService): Promise<void> {
  try {
    const settings = settingsFromEnv((name) => Deno.env.get(name));
    if (!settings) return;
    const status = await web.start(settings);
    getLogger().info("Web dashboard on {host}:{port}", { host: status.host, port: status.port });
  } catch (error) {
    getLogger().error("Web dashboard not started: {error}", { error: String(error) });
  }
}

async function resumeApps(ctx: DaemonContext, reason: string): Promise<void> {
  try {
    await ctx.supervisor.resume(reason);
  } catch (error) {
    getLogger().error("Resuming apps failed: {error}", { error: String(error) });
  }
}
