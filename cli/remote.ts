/**
 * `adasa --host ssh://user@server ...` (or ADASA_HOST): the daemon of another machine, reached
 * through the user's own ssh. The remote shell is asked once for the daemon's home (its
 * ADASA_HOME, else ~/.adasa), then `-L local.sock:remote.sock` forwards the daemon's socket
 * to a socket in a private temp folder here, and every connection of the command goes through
 * it. Both go over one ssh connection (a ControlMaster), so the user authenticates once. Nothing runs on the server but its daemon and sshd. Loaded only when a host is
 * given, so local commands never pay for it.
 */
import { AdasaError } from "../src/protocol/errors.ts";

/** Where to connect: ssh's destination and port, and the URL as the user wrote it. */
export interface RemoteTarget {
  destination: string;
  port: number | null;
  url: string;
}

/** The forwarded socket of a remote daemon; dispose to end ssh and remove the socket. */
export interface Tunnel extends AsyncDisposable {
  /** The local end of the forward. */
  socket: string;
  /** The remote daemon's home, as its shell gave it. */
  home: string;
}

const OPEN_TIMEOUT_MS = 30_000;
const URL_FORM = "ssh://[user@]host[:port]";

/**
 * Parses `ssh://[user@]host[:port]`.
 *
 * @throws {AdasaError} INVALID_ARGUMENT naming the text when it is not of that form
 */
export function parseHostUrl(text: string): RemoteTarget {
  const bad = (why: string) =>
    new AdasaError("INVALID_ARGUMENT", `--host "${text}": ${why}; expected ${URL_FORM}`);
  if (!text.startsWith("ssh://")) throw bad("not an ssh:// URL");
  const m = /^ssh:\/\/(?:([^@/:\s]+)@)?(\[[0-9a-fA-F:.]+\]|[^@/:\s\[\]]+)(?::(\d+))?\/?$/.exec(
    text,
  );
  if (!m) throw bad("cannot read user, host and port");
  const host = m[2]!.replace(/^\[(.*)\]$/, "$1");
  if (host.startsWith("-") || m[1]?.startsWith("-")) throw bad("a name cannot start with -");
  const port = m[3] === undefined ? null : Number(m[3]);
  if (port !== null && (port < 1 || port > 65_535)) throw bad(`port ${port} is out of range`);
  return { destination: m[1] ? `${m[1]}@${host}` : host, port, url: text };
}

/** The ssh command: ADASA_SSH_COMMAND (words split on spaces, as git's GIT_SSH_COMMAND), else ssh. */
function sshCommand(env: { get(key: string): string | undefined }): string[] {
  const words = (env.get("ADASA_SSH_COMMAND") ?? "ssh").trim().split(/\s+/).filter(Boolean);
  return words.length ? words : ["ssh"];
}

function sshArgs(target: RemoteTarget, extra: string[]): string[] {
  const port = target.port === null ? [] : ["-p", String(target.port)];
  return [...port, "-o", "ConnectTimeout=15", ...extra, "--", target.destination];
}

/** The last line ssh wrote on stderr, which names what went wrong. */
function lastLine(bytes: Uint8Array): string {
  const lines = new TextDecoder().decode(bytes).split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? "no message";
}

function sshFailed(target: RemoteTarget, why: string): AdasaError {
  return new AdasaError("UNAVAILABLE", `Cannot reach ${target.url} through ssh: ${why}`);
}

// sh -c, so a remote login shell that is not POSIX (fish, csh) still expands the default.
const PROBE = `sh -c 'h="\${ADASA_HOME:-\$HOME/.adasa}"; printf "%s\\n" "$h"; ` +
  `if [ -S "$h/adasa.sock" ]; then echo up; else echo down; fi'`;

/** Runs one ssh client over the master's connection and returns what it printed. */
async function overMaster(
  ssh: string[],
  target: RemoteTarget,
  args: { control: string; extra: string[]; command?: string },
): Promise<Deno.CommandOutput> {
  const command = args.command === undefined ? [] : [args.command];
  try {
    return await new Deno.Command(ssh[0]!, {
      args: [
        ...ssh.slice(1),
        ...sshArgs(target, ["-S", args.control, ...args.extra]),
        ...command,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw sshFailed(target, `cannot run "${ssh[0]}": ${(error as Error).message}`);
  }
}

/**
 * Asks the remote shell once for the daemon's home and whether its socket exists.
 *
 * @throws {AdasaError} UNAVAILABLE when ssh fails or no daemon's socket is there
 */
async function probeHome(target: RemoteTarget, ssh: string[], control: string): Promise<string> {
  const output = await overMaster(ssh, target, { control, extra: ["-T"], command: PROBE });
  if (!output.success) throw sshFailed(target, lastLine(output.stderr));
  const [home, state] = new TextDecoder().decode(output.stdout).trim().split("\n").slice(-2);
  if (!home?.startsWith("/") || (state !== "up" && state !== "down")) {
    throw sshFailed(target, `the remote shell gave no Adasa home (got "${home ?? ""}")`);
  }
  if (state === "down") {
    throw new AdasaError(
      "UNAVAILABLE",
      `No Adasa daemon is running on ${target.url} (no socket at ${home}/adasa.sock); ` +
        `start one there with "adasa daemon start"`,
    );
  }
  return home;
}

async function waitForSocket(path: string, exited: () => boolean): Promise<boolean> {
  const deadline = Date.now() + OPEN_TIMEOUT_MS;
  while (!exited() && Date.now() < deadline) {
    try {
      if ((await Deno.stat(path)).isSocket) return true;
    } catch {
      // not there yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

function spawnMaster(ssh: string[], target: RemoteTarget, control: string): Deno.ChildProcess {
  // The master makes the forward's local socket: owner-only, replacing a stale one.
  const master = [
    ...["-M", "-S", control, "-o", "ControlPersist=no", "-N", "-T"],
    ...["-o", "StreamLocalBindUnlink=yes", "-o", "StreamLocalBindMask=0177"],
  ];
  try {
    return new Deno.Command(ssh[0]!, {
      args: [...ssh.slice(1), ...sshArgs(target, master)],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    throw sshFailed(target, `cannot run "${ssh[0]}": ${(error as Error).message}`);
  }
}

/**
 * Forwards the remote daemon's socket to a private local one, for the life of the tunnel. One
 * ssh connection (a master) carries both the question to the shell and the forward, so the
 * user authenticates once.
 *
 * @throws {AdasaError} UNAVAILABLE with ssh's own message when it fails
 */
export async function openTunnel(
  target: RemoteTarget,
  env: { get(key: string): string | undefined } = Deno.env,
): Promise<Tunnel> {
  const ssh = sshCommand(env);
  const dir = await Deno.makeTempDir({ prefix: "adasa-remote-" });
  const control = `${dir}/ssh.ctl`;
  const socket = `${dir}/adasa.sock`;
  let child: Deno.ChildProcess;
  try {
    child = spawnMaster(ssh, target, control);
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  let exited = false;
  const status = child.status.finally(() => (exited = true));
  const stderr = new Response(child.stderr).bytes();
  const close = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // ssh already ended
    }
    await status;
    await stderr;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    if (!(await waitForSocket(control, () => exited))) {
      if (!exited) throw sshFailed(target, "no connection after 30 s");
      await status;
      throw sshFailed(target, lastLine(await stderr));
    }
    const home = await probeHome(target, ssh, control);
    const forward = await overMaster(ssh, target, {
      control,
      extra: ["-O", "forward", "-L", `${socket}:${home}/adasa.sock`],
    });
    if (!forward.success || !(await waitForSocket(socket, () => exited))) {
      throw sshFailed(target, `forwarding ${home}/adasa.sock failed: ${lastLine(forward.stderr)}`);
    }
    return { socket, home, [Symbol.asyncDispose]: close };
  } catch (error) {
    await close();
    throw error;
  }
}
