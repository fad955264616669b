/**
 * A throwaway OpenSSH server on 127.0.0.1 for the remote CLI tests: a free port, a temp host
 * key, a temp client key as the only authorized key, and the remote user's ADASA_HOME set by
 * the server (as the user's profile would). Null when this machine has no sshd or is not
 * root. Disposing stops it by pid and removes its folder.
 */
import { freePort } from "./node.ts";

const SSHD = "/usr/sbin/sshd";

export interface TestSshd extends AsyncDisposable {
  port: number;
  user: string;
  /** ADASA_SSH_COMMAND for the client: this key, this server's host key, no user config. */
  sshCommand: string;
}

async function keygen(path: string): Promise<void> {
  const out = await new Deno.Command("ssh-keygen", {
    args: ["-q", "-t", "ed25519", "-N", "", "-f", path],
    stdin: "null",
  }).output();
  if (!out.success) throw new Error(`ssh-keygen: ${new TextDecoder().decode(out.stderr)}`);
}

async function waitForPort(port: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && !exited()) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`sshd did not listen on port ${port}`);
}

/** Why the remote tests cannot run here, or null when they can. */
export function sshdMissing(): string | null {
  try {
    Deno.statSync(SSHD);
  } catch {
    return `${SSHD} is absent (apt-get install openssh-server)`;
  }
  if (Deno.uid() !== 0) return "sshd needs root to switch users";
  return null;
}

export async function startSshd(options: { adasaHome: string }): Promise<TestSshd> {
  const dir = await Deno.makeTempDir({ prefix: "adasa-sshd-" });
  await keygen(`${dir}/host_key`);
  await keygen(`${dir}/client_key`);
  await Deno.copyFile(`${dir}/client_key.pub`, `${dir}/authorized_keys`);
  // sshd refuses to start without its privilege separation folder.
  await Deno.mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const port = freePort();
  const config = [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${dir}/host_key`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    "PermitRootLogin prohibit-password",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UsePAM no",
    "StrictModes no",
    "AllowStreamLocalForwarding yes",
    `SetEnv ADASA_HOME=${options.adasaHome}`,
    "PidFile none",
    "LogLevel ERROR",
  ].join("\n");
  await Deno.writeTextFile(`${dir}/sshd_config`, config + "\n");
  const child = new Deno.Command(SSHD, {
    args: ["-D", "-e", "-f", `${dir}/sshd_config`],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let exited = false;
  child.status.then(() => (exited = true));
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
    await stderr;
    await Deno.remove(dir, { recursive: true });
  };
  try {
    await waitForPort(port, () => exited);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}: ${await stderr}`);
  }
  const sshCommand = [
    "ssh",
    "-F none",
    `-i ${dir}/client_key`,
    "-o IdentitiesOnly=yes",
    "-o BatchMode=yes",
    `-o UserKnownHostsFile=${dir}/known_hosts`,
    "-o StrictHostKeyChecking=accept-new",
    "-o LogLevel=ERROR",
  ].join(" ");
  return { port, user: "root", sshCommand, [Symbol.asyncDispose]: stop };
}
