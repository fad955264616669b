/**
 * Runs one command against the daemon of `--host` (see remote.ts). Commands that manage this
 * machine's daemon process or files (daemon, kill, run, startup, save, ...) are refused: on the
 * server they are `ssh server adasa ...`.
 */
import { AdasaClient } from "../src/ipc/client.ts";
import { AdasaError } from "../src/protocol/errors.ts";
import { type CommandContext, type CommandSpec, type Parsed, runCommand } from "./commands/mod.ts";
import { openTunnel, parseHostUrl } from "./remote.ts";

const LOCAL_ONLY = new Set([
  "daemon",
  "kill",
  "run",
  "startup",
  "unstartup",
  "save",
  "resurrect",
  "update",
  "import-pm2",
]);

export async function runRemote(
  spec: CommandSpec,
  parsed: Parsed,
  options: { host: string; json: boolean; color: boolean },
): Promise<number> {
  const target = parseHostUrl(options.host);
  if (LOCAL_ONLY.has(spec.name)) {
    throw new AdasaError(
      "INVALID_ARGUMENT",
      `"adasa ${spec.name}" works on this machine's daemon only; ` +
        `run it on the server: ssh ${target.destination} adasa ${spec.name}`,
    );
  }
  await using tunnel = await openTunnel(target);
  const connect = () =>
    AdasaClient.connect({ path: tunnel.socket }).catch((error: unknown) => {
      throw new AdasaError(
        "UNAVAILABLE",
        `Daemon on ${target.url} not reachable through the ssh tunnel`,
        { cause: error },
      );
    });
  const ctx: CommandContext = {
    home: tunnel.home,
    json: options.json,
    color: options.color,
    connect,
  };
  return await runCommand(spec, parsed, ctx, () => connect().catch(() => null));
}
