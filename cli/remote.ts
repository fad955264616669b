/**
 * `adasa --host ssh://user@server ...` (or ADASA_HOST): the daemon of another machine, reached
 * through the user's own ssh. The remote shell is asked once for the daemon's home (its
 * ADASA_HOME, else ~/.adasa), then `ssh -N -L local.sock:remote.sock` forwards the daemon's
 * socket to a socket in a private temp folder here, and every connection of the command goes
 * through it. Nothing runs on the server but its daemon and sshd. Loaded only when a host is
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

/**
 * Asks the remote shell once for the daemon's home and whether its socket exists.
 *
 * @throws {AdasaError} UNAVAILABLE when ssh fails or no daemon's socket is there
 */
async function probeHome(target: RemoteTarget, ssh: string[]): Promise<string> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(ssh[0]!, {
      args: [...ssh.slice(1), ...sshArgs(target, ["-T"]), PROBE],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw sshFailed(target, `cannot run "${ssh[0]}": ${(error as Error).message}`);
  }
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

async function waitForSocket(path: string, exited: Promise<Deno.CommandStatus>): Promise<boolean> {
  let done = false;
  exited.then(() => (done = true), () => (done = true));
  const deadline = Date.now() + OPEN_TIMEOUT_MS;
  while (!done && Date.now() < deadline) {
    try {
      if ((await Deno.stat(path)).isSocket) return true;
    } catch {
      // not there yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/**
 * Forwards the remote daemon's socket to a private local one, for the life of the tunnel.
 *
 * @throws {AdasaError} UNAVAILABLE with ssh's own message when it fails
 */
export async function openTunnel(
  target: RemoteTarget,
  env: { get(key: string): string | undefined } = Deno.env,
): Promise<Tunnel> {
  const ssh = sshCommand(env);
  const home = await probeHome(target, ssh);
  const dir = await Deno.makeTempDir({ prefix: "adasa-remote-" });
  const socket = `${dir}/adasa.sock`;
  const forward = [
    "-N",
    "-T",
    "-o",
    "ExitOnForwardFailure=yes",
    "-o",
    "StreamLocalBindUnlink=yes",
    "-o",
    "StreamLocalBindMask=0177",
    "-L",
    `${socket}:${home}/adasa.sock`,
  ];
  const child = new Deno.Command(ssh[0]!, {
    args: [...ssh.slice(1), ...sshArgs(target, forward)],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).bytes();
  const close = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // ssh already ended
    }
    await child.status;
    await stderr;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  if (!(await waitForSocket(socket, child.status))) {
    await close();
    throw sshFailed(target, `forwarding ${home}/adasa.sock failed: ${lastLine(await stderr)}`);
  }
  return { socket, home, [Symbol.asyncDispose]: close };
}
