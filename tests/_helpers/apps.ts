/** Shortcuts for integration tests that drive a daemon through the client. */
import type { AdasaClient } from "../../src/ipc/client.ts";
import type { EventRecord, InstanceInfo } from "../../src/protocol/messages.ts";
import { waitFor } from "./wait.ts";
import { hasVariable, isLive, processes, procText } from "./proc.ts";

/** Creates and starts an app; `command` runs with `args` in `cwd` (default: the temp dir). */
export function startApp(
  client: AdasaClient,
  app: Record<string, unknown> & { command: string },
): Promise<InstanceInfo[]> {
  return client.request("start", {
    app: { cwd: "/tmp", base_env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" }, ...app },
  });
}

export async function list(client: AdasaClient): Promise<InstanceInfo[]> {
  return await client.request("list");
}

export async function instance(client: AdasaClient, id: number): Promise<InstanceInfo> {
  const row = (await list(client)).find((r) => r.id === id);
  if (!row) throw new Error(`no instance ${id}`);
  return row;
}

/** Waits until instance `id` satisfies `accept`. */
export function waitForInstance(
  client: AdasaClient,
  id: number,
  accept: (row: InstanceInfo) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<InstanceInfo> {
  return waitFor(() => instance(client, id), accept, { what, timeoutMs });
}

export function events(client: AdasaClient, targets: string[] = []): Promise<EventRecord[]> {
  return client.request("events", { targets, limit: 10_000 });
}

/** Pids of live processes of the daemon of `home` whose environment has ADASA_ID=`id`. */
export function processesOfInstance(home: string, id: number): number[] {
  return [...processes()].filter((p) => {
    if (!isLive(p)) return false;
    const environ = procText(p.pid, "environ");
    return environ !== null && hasVariable(environ, "ADASA_ID", String(id)) &&
      hasVariable(environ, "ADASA_MANAGED_BY", home);
  }).map((p) => p.pid);
}
