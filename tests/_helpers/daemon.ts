// deno-lint-ignore-file no-sync-fn-in-async-fn -- tests read /proc and temp files synchronously for simplicity
/**
 * A real daemon in a temporary ADASA_HOME, run from main.ts as a subprocess. Disposing it
 * stops the daemon with SIGTERM and then checks, by the pids recorded in its events table,
 * that no process group it started survives; the temp folder is removed.
 */
import { DatabaseSync } from "node:sqlite";
import { AdasaClient } from "../../src/ipc/client.ts";
import { isLive, liveGroupMembers, readProc } from "./proc.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestDaemon extends AsyncDisposable {
  home: string;
  pid: number;
  /** A new client connection (dispose it). */
  connect(): Promise<AdasaClient>;
  /** Runs `adasa ARGS` from source against this daemon. */
  cli(args: string[], options?: { env?: Record<string, string>; cwd?: string }): Promise<CliResult>;
  /** SIGKILLs the daemon (its children are left behind, as after a crash). */
  kill(): Promise<void>;
}

/** Makes a temp home whose socket path stays well under the 108-byte limit. */
export function makeHome(): string {
  return Deno.makeTempDirSync({ prefix: "adasa-test-" });
}

/** Runs the CLI from source with ADASA_HOME set. */
export async function runCli(
  home: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--config", `${ROOT}deno.json`, `${ROOT}cli/main.ts`, ...args],
    env: { ADASA_HOME: home, NO_COLOR: "1", ...options.env },
    cwd: options.cwd ?? ROOT,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** Spawns main.ts for `home` and waits until its socket answers. */
export function spawnDaemonProcess(
  home: string,
  env: Record<string, string> = {},
  prefix: readonly string[] = [],
): Deno.ChildProcess {
  const deno = [Deno.execPath(), "run", "--allow-all", "--config", `${ROOT}deno.json`];
  // A prefix (`sh -c '...; exec "$@"' sh`, `prlimit ...`) must exec the daemon, keeping its pid.
  const [command, ...args] = [...prefix, ...deno, `${ROOT}main.ts`, "--background"];
  return new Deno.Command(command!, {
    args,
    env: { ADASA_HOME: home, ...env },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

/** Waits until a client can connect to `home`'s socket. */
export async function waitForSocket(home: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    try {
      const client = await AdasaClient.connect({ home });
      await client.request("ping");
      await client[Symbol.asyncDispose]();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`Daemon on ${home} did not answer within ${timeoutMs} ms`, {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Starts a daemon on a fresh (or given) home. */
export async function startDaemon(
  options: {
    home?: string;
    env?: Record<string, string>;
    keepHome?: boolean;
    /** Runs the daemon through this command, which must exec it (same pid). */
    prefix?: readonly string[];
  } = {},
): Promise<TestDaemon> {
  const home = options.home ?? makeHome();
  const child = spawnDaemonProcess(home, options.env, options.prefix);
  const stderr = new Response(child.stderr).text();
  try {
    await waitForSocket(home);
  } catch (error) {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await child.status;
    throw new Error(`Daemon failed to start: ${await stderr}`, { cause: error });
  }
  let killed = false;
  return {
    home,
    pid: child.pid,
    connect: () => AdasaClient.connect({ home }),
    cli: (args, cliOptions) => runCli(home, args, cliOptions),
    async kill() {
      killed = true;
      child.kill("SIGKILL");
      await child.status;
      await stderr;
    },
    async [Symbol.asyncDispose]() {
      if (!killed) {
        try {
          child.kill("SIGTERM");
        } catch { /* gone */ }
        await child.status;
        await stderr;
      }
      try {
        const leftovers = survivingGroups(home);
        for (const pgid of leftovers) killGroup(pgid);
        if (leftovers.length && !killed) {
          throw new Error(`Process groups survived the daemon: ${leftovers.join(", ")}`);
        }
      } finally {
        if (!options.keepHome) Deno.removeSync(home, { recursive: true });
      }
    },
  };
}

/** Process groups started by the daemon of `home` that still have a live member. */
export function survivingGroups(home: string): number[] {
  let pids: number[] = [];
  try {
    const db = new DatabaseSync(`${home}/adasa.db`, { readOnly: true });
    try {
      pids = (db.prepare("SELECT DISTINCT pid FROM events WHERE pid IS NOT NULL").all() as Array<
        { pid: number }
      >)
        .map((r) => r.pid);
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
  return pids.filter(groupAlive);
}

/** Whether a live (non-zombie) process has process group `pgid`. */
export function groupAlive(pgid: number): boolean {
  return liveGroupMembers(pgid).length > 0;
}

/** Whether a pid is a live (non-zombie) process. */
export function pidAlive(pid: number): boolean {
  return isLive(readProc(pid));
}

function killGroup(pgid: number): void {
  try {
    Deno.kill(-pgid, "SIGKILL");
  } catch {
    // gone
  }
}
