/**
 * #17: a daemon that creates and deletes apps all day must not keep what each deleted app
 * had. Each app here prints a line, so its log segment is open while it lives; after its
 * delete, the daemon's descriptors are back where they were, app after app.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { startApp } from "../_helpers/apps.ts";
import { waitFor } from "../_helpers/wait.ts";

const APPS = 15;

function descriptorCount(pid: number): number {
  return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
}

Deno.test("deleting apps that wrote output closes their log files (start/delete churn)", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const logsDir = `${daemon.home}/logs`;
  const openLogs = () =>
    [...Deno.readDirSync(`/proc/${daemon.pid}/fd`)].filter((e) => {
      try {
        return Deno.readLinkSync(`/proc/${daemon.pid}/fd/${e.name}`).startsWith(logsDir);
      } catch {
        return false; // closed meanwhile
      }
    }).length;
  for (let i = 0; i < APPS; i++) {
    const name = `churn-${i}`;
    await startApp(client, { name, command: "sh", args: ["-c", "echo up; exec sleep 60"] });
    await waitFor(() => openLogs(), (n) => n >= 1, { what: `the log file of ${name} open` });
    await client.request("delete", { targets: [name] });
    await waitFor(() => openLogs(), (n) => n === 0, {
      what: `the log file of ${name} closed after its delete`,
    });
  }
  const before = descriptorCount(daemon.pid);
  assert(before < 64, `the daemon holds ${before} descriptors`);
  // History stays: every deleted app's log folder is still there.
  const dirs = (await Array.fromAsync(Deno.readDir(logsDir))).filter((e) => e.isDirectory);
  assertEquals(dirs.length, APPS);
});
