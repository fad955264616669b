/**
 * Finding, starting and waiting for the daemon from the CLI. Auto-start is race-free because
 * the daemon takes an exclusive lock: of many CLIs that start one at once, one daemon wins and
 * the others exit with code 4, while every CLI waits for the socket to answer.
 */
import { AdasaClient } from "../src/ipc/client.ts";
import { resolveHome } from "../src/ipc/paths.ts";
import { AdasaError } from "../src/protocol/errors.ts";
import { realPath } from "./real_path.ts";

const START_TIMEOUT_MS = 15_000;

/**
 * V8 flags of every daemon the CLI starts (and of `deno task daemon`, kept equal by a test).
 * A 1 MB young generation instead of V8's default of up to 16 MB: the daemon allocates little
 * per request, and with 100 apps it holds about 5 MB less (#17; bench/memory_bench.ts).
 */
export const DAEMON_V8_FLAGS = "--v8-flags=--max-semi-space-size=1";
/**
 * Without it, `deno run` reads and parses every module a dynamic `import("./x.js")` names, and
 * theirs, before running anything: the CLI's command table names every command's chunk, so
 * each `adasa ping` read all of them (about 10 ms), and the daemon the code it loads on first
 * use. The CLI's shebang (cli/main.ts) has it too.
 */
export const LAZY_IMPORTS = "--unstable-lazy-dynamic-imports";
/** The flags of `deno run` for the bundled daemon, dist/adasad.js. */
export const BUNDLED_DAEMON_FLAGS = [DAEMON_V8_FLAGS, LAZY_IMPORTS, "--no-config", "--no-lock"];
const ALREADY_RUNNING_EXIT = 4;

/**
 * How to run the daemon: the bundled dist/adasad.js beside the bundled CLI (it starts without
 * npm resolution and uses less memory), else the repository's main.ts with its deno.json.
 */
function daemonEntry(): { main: string; flags: string[] } {
  const explicit = Deno.env.get("ADASA_DAEMON_ENTRY");
  if (explicit) return entryFor(explicit);
  // Through `deno task install` the CLI runs from a symlink: look beside the real file.
  const here = realPath(new URL(import.meta.url).pathname);
  const bundled = new URL("./adasad.js", `file://${here}`).pathname;
  try {
    if (Deno.statSync(bundled).isFile) return entryFor(bundled);
  } catch {
    // running from source
  }
  return entryFor(new URL("../main.ts", `file://${here}`).pathname);
}

function entryFor(main: string): { main: string; flags: string[] } {
  if (main.endsWith(".js")) {
    return { main, flags: BUNDLED_DAEMON_FLAGS };
  }
  return {
    main,
    flags: [DAEMON_V8_FLAGS, "--config", new URL("deno.json", `file://${main}`).pathname],
  };
}

/**
 * The Deno that runs the daemon: this one, unless this is a `deno compile`d binary, whose
 * runtime cannot run another script; then `deno` from the PATH.
 */
function denoBinary(): string {
  const exec = Deno.execPath();
  return /(^|\/)deno$/.test(exec) ? exec : "deno";
}

/** Starts a daemon in the background for `home`. */
export function spawnDaemon(home: string): Deno.ChildProcess {
  const { main, flags } = daemonEntry();
  const child = new Deno.Command(denoBinary(), {
    args: ["run", "--allow-all", ...flags, main, "--background"],
    env: { ADASA_HOME: home },
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  return child;
}

/**
 * Starts a daemon for `home` as this process's own child (`adasa run`): it dies with this
 * process's session, and its own log goes to daemon.log only.
 */
export function spawnAttachedDaemon(home: string): Deno.ChildProcess {
  const { main, flags } = daemonEntry();
  return new Deno.Command(denoBinary(), {
    args: ["run", "--allow-all", ...flags, main, "--background"],
    env: { ADASA_HOME: home },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/** Runs the daemon in the foreground with this process's stdio; returns its exit code. */
export async function runDaemonForeground(home: string): Promise<number> {
  const { main, flags } = daemonEntry();
  const child = new Deno.Command(denoBinary(), {
    args: ["run", "--allow-all", ...flags, main],
    env: { ADASA_HOME: home },
  }).spawn();
  const forward = () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
  };
  Deno.addSignalListener("SIGINT", forward);
  Deno.addSignalListener("SIGTERM", forward);
  const status = await child.status;
  Deno.removeSignalListener("SIGINT", forward);
  Deno.removeSignalListener("SIGTERM", forward);
  return status.code;
}

/** Connects, or returns null when nothing answers. */
export async function tryConnect(home: string): Promise<AdasaClient | null> {
  try {
    return await AdasaClient.connect({ home });
  } catch {
    return null; // connect fails only with UNAVAILABLE: nothing listens on the socket
  }
}

/**
 * Connects to the daemon of `home`, starting one when none answers.
 * `onStart` is called when this call started a daemon.
 *
 * @throws {AdasaError} UNAVAILABLE when no daemon answers within the start timeout
 */
export async function connectOrStart(
  options: { home?: string; onStart?: () => void } = {},
): Promise<AdasaClient> {
  const home = options.home ?? resolveHome();
  const first = await tryConnect(home);
  if (first) return first;
  options.onStart?.();
  const deadline = Date.now() + START_TIMEOUT_MS;
  let child: Deno.ChildProcess | null = spawnDaemon(home);
  let exited: number | null = null;
  child.status.then((s) => (exited = s.code));
  let lastSpawn = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 15));
    const client = await tryConnect(home);
    if (client) return client;
    if (exited !== null && exited !== ALREADY_RUNNING_EXIT) break;
    // Another daemon held the lock but went away (it was stopping): start one again.
    if (exited === ALREADY_RUNNING_EXIT && Date.now() - lastSpawn > 2_000) {
      exited = null;
      child = spawnDaemon(home);
      child.status.then((s) => (exited = s.code));
      lastSpawn = Date.now();
    }
  }
  throw new AdasaError(
    "UNAVAILABLE",
    `Daemon would not start on ${home}${exited !== null ? ` (exit code ${exited})` : ""}: ` +
      lastLogLine(`${home}/daemon.log`),
  );
}

function lastLogLine(path: string): string {
  try {
    const lines = Deno.readTextFileSync(path).trimEnd().split("\n");
    return lines.at(-1) ?? "see daemon.log";
  } catch {
    return `see ${path}`; // no log written (yet): name the file to look at
  }
}

const STOP_TIMEOUT_MS = 60_000;

/**
 * Asks the daemon of `home` to stop (its apps keep `desired`) and waits until its process is
 * gone. Returns its pid, or null when no daemon answered.
 *
 * @throws {AdasaError} INTERNAL when the daemon is still alive after 60 s
 */
export async function stopDaemonAndWait(home: string): Promise<number | null> {
  const client = await tryConnect(home);
  if (!client) return null;
  const { pid } = await client.request("daemon_stop");
  client.close();
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      throw new AdasaError("INTERNAL", `Daemon ${pid} did not stop within 60 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return pid;
}

function isAlive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return !/\) [ZX] /.test(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return false; // ESRCH or no /proc entry: gone
  }
}
