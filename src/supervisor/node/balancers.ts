/**
 * The cluster balancers of the daemon, one Node process per clustered app (balancer.cjs).
 * Started at the first spawn of a worker of the app; a balancer exits by itself a few seconds
 * after its last worker left, and one that dies while the app still has live instances is
 * started again (its workers reconnect and register their sockets again). `close()` stops
 * them all at daemon shutdown, after the apps.
 */
import { getLogger } from "../../logger.ts";
import { type SpawnedChild, spawnInSession } from "../spawn.ts";

/** Shortest pause between two starts of one app's balancer. */
const RESTART_PAUSE_MS = 500;

interface Running {
  child: SpawnedChild;
  control: string;
  startedAt: number;
}

export interface BalancersDeps {
  /** The folder of the control sockets (under ADASA_HOME, mode 0700). */
  dir: string;
  /** The balancer program's path. */
  script: () => string;
  /** Whether an app still has live instances (then a dead balancer is started again). */
  wanted(appId: number): boolean;
  /** Variables every process of the daemon carries (its home tag). */
  tag: Record<string, string>;
}

/** The balancers of the clustered apps, by app id. */
export class Balancers {
  readonly #deps: BalancersDeps;
  readonly #running = new Map<number, Running>();
  #closing = false;

  constructor(deps: BalancersDeps) {
    this.#deps = deps;
  }

  /** The control socket of the app's balancer, started now if it does not run. */
  ensure(appId: number, node: { program: string; env: Record<string, string> }): string {
    const known = this.#running.get(appId);
    if (known) return known.control;
    const control = `${this.#deps.dir}/app-${appId}.sock`;
    if (this.#closing) return control;
    const env = { PATH: node.env.PATH ?? "/usr/bin:/bin", ...this.#deps.tag };
    let child: SpawnedChild;
    try {
      child = spawnInSession(node.program, [this.#deps.script(), control], {
        cwd: this.#deps.dir,
        env,
      });
    } catch (error) {
      // The worker's own spawn fails the same way (same program, same PATH) and says so.
      getLogger("cluster").error("Balancer of app {appId} not started: {error}", {
        appId,
        error: String(error),
      });
      return control;
    }
    const running = { child, control, startedAt: Date.now() };
    this.#running.set(appId, running);
    void child.stdout.cancel();
    void logLines(child.stderr, appId);
    child.status.then((status) => this.#onExit(appId, running, node, status));
    return control;
  }

  /** Stops every balancer (daemon shutdown; the apps are stopped already). */
  async close(): Promise<void> {
    this.#closing = true;
    const all = [...this.#running.values()];
    for (const { child } of all) {
      try {
        Deno.kill(child.pid, "SIGTERM");
      } catch {
        // exited meanwhile
      }
    }
    await Promise.all(all.map((r) => r.child.status));
  }

  #onExit(
    appId: number,
    running: Running,
    node: { program: string; env: Record<string, string> },
    status: { code: number | null; signal: string | null },
  ): void {
    if (this.#running.get(appId) === running) this.#running.delete(appId);
    if (this.#closing || !this.#deps.wanted(appId)) return;
    if (status.code !== 0) {
      getLogger("cluster").warn("Balancer of app {appId} ended ({how}); starting it again", {
        appId,
        how: status.signal ?? `exit code ${status.code}`,
      });
    }
    const wait = Math.max(0, running.startedAt + RESTART_PAUSE_MS - Date.now());
    setTimeout(() => {
      if (!this.#closing && !this.#running.has(appId) && this.#deps.wanted(appId)) {
        this.ensure(appId, node);
      }
    }, wait);
  }
}

async function logLines(stream: ReadableStream<Uint8Array>, appId: number): Promise<void> {
  const log = getLogger("cluster");
  try {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      for (const line of text.split("\n")) {
        if (line.trim()) log.warn("Balancer of app {appId}: {line}", { appId, line });
      }
    }
  } catch {
    // the balancer is gone
  }
}
