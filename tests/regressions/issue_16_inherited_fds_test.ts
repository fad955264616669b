/**
 * #16.10: descriptors the daemon inherited from the shell that started it (not close-on-exec)
 * were passed on to every app. The daemon is started here by `sh -c 'exec 7>>FILE; exec ...'`,
 * from source and as the bundle `deno task build` makes (cli/build.ts),
 * and an app's /proc/<pid>/fd must hold its stdio (0, 1, 2) and nothing else.
 */
import { AdasaClient } from "../../src/ipc/client.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { startApp } from "../_helpers/apps.ts";
import { waitFor } from "../_helpers/wait.ts";
import { build } from "../../cli/build.ts";

/** Opens descriptor 7 on the file named by $0, then runs the rest of the arguments. */
const WITH_FD_7 = ["sh", "-c", 'exec 7>>"$0"; exec "$@"'];

function descriptors(pid: number): Map<number, string> {
  const out = new Map<number, string>();
  for (const entry of Deno.readDirSync(`/proc/${pid}/fd`)) {
    try {
      out.set(Number(entry.name), Deno.readLinkSync(`/proc/${pid}/fd/${entry.name}`));
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

async function assertAppClean(client: AdasaClient, daemonPid: number, file: string) {
  // The setup itself: the daemon does hold descriptor 7 on the file.
  assertEquals(descriptors(daemonPid).get(7), file, "the daemon inherited descriptor 7");
  const [row] = await startApp(client, { name: "probe", command: "sleep", args: ["60"] });
  const pid = await waitFor(
    async () => (await client.request("list")).find((r) => r.id === row!.id)?.pid ?? null,
    (p) => p !== null,
    { what: "the app's pid" },
  );
  const fds = descriptors(pid!);
  assert(!fds.has(7), `the app got descriptor 7: ${JSON.stringify([...fds])}`);
  // Nothing else of the daemon's either (the test runner's own pipes used to come through).
  const extra = [...fds].filter(([fd]) => fd > 2);
  assertEquals(extra, [], "the app has descriptors beyond its stdio");
  await client.request("delete", { targets: ["probe"] });
}

Deno.test("an app does not get the descriptors its daemon inherited (source)", async () => {
  const file = await Deno.makeTempFile({ prefix: "adasa-fd7-" });
  try {
    await using daemon = await startDaemon({ prefix: [...WITH_FD_7, file] });
    await using client = await daemon.connect();
    await assertAppClean(client, daemon.pid, file);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("an app does not get the descriptors its daemon inherited (bundled daemon)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-bundle-" });
  const file = `${dir}/fd7`;
  const home = `${dir}/home`;
  let daemon: Deno.ChildProcess | null = null;
  try {
    await Deno.writeTextFile(file, "");
    await build(dir); // what `deno task build` makes
    const [sh, ...shArgs] = [...WITH_FD_7, file];
    daemon = new Deno.Command(sh!, {
      args: [...shArgs, Deno.execPath(), "run", "--allow-all", `${dir}/adasad.js`, "--background"],
      cwd: dir,
      env: { ADASA_HOME: home },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const client = await waitFor(
      () => AdasaClient.connect({ home }).catch(() => null),
      (c) => c !== null,
      { what: "the bundled daemon answering", timeoutMs: 20_000 },
    );
    await using _client = client!;
    await assertAppClean(client!, daemon.pid, file);
  } finally {
    if (daemon) {
      daemon.kill("SIGTERM");
      await daemon.status;
    }
    await Deno.remove(dir, { recursive: true });
  }
});
