/**
 * A full disk, for real: the daemon's home is a 6 MiB tmpfs that the test fills. Mounting needs
 * root (CI runs as root); elsewhere the test is reported as ignored, never as passed.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { instance, list, startApp, waitForInstance } from "../_helpers/apps.ts";
import { waitFor } from "../_helpers/wait.ts";

function tryMount(dir: string): boolean {
  const out = new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", "size=6m,mode=0700", "tmpfs", dir],
    stdout: "null",
    stderr: "null",
  }).outputSync();
  return out.success;
}

function fill(dir: string): void {
  const chunk = new Uint8Array(64 * 1024);
  const file = Deno.openSync(`${dir}/filler`, { write: true, create: true, append: true });
  try {
    while (true) file.writeSync(chunk);
  } catch {
    // ENOSPC: the disk is full
  } finally {
    file.close();
  }
}

const probe = Deno.makeTempDirSync({ prefix: "adasa-mnt-probe-" });
const canMount = Deno.uid() === 0 && tryMount(probe);
if (canMount) new Deno.Command("umount", { args: [probe] }).outputSync();
Deno.removeSync(probe);

Deno.test({
  name: "a full disk: registry changes are refused, supervision goes on, logging resumes",
  ignore: !canMount,
  async fn() {
    const home = Deno.makeTempDirSync({ prefix: "adasa-full-" });
    assert(tryMount(home), "mount failed");
    try {
      await using daemon = await startDaemon({
        home,
        keepHome: true,
        env: { ADASA_SAMPLE_INTERVAL_MS: "200" },
      });
      await using client = await daemon.connect();
      const [talker] = await startApp(client, {
        name: "talker",
        command: "/bin/sh",
        args: ["-c", "i=0; while :; do i=$((i+1)); echo line $i; sleep 0.02; done"],
        min_uptime_ms: 100,
      });
      const online = await waitForInstance(
        client,
        talker!.id,
        (r) => r.status === "online",
        "online",
      );
      fill(home);

      const refused = await daemon.cli(["start", "--name", "late", "sleep", "--", "60"]);
      assertEquals(refused.code, 1, refused.stderr);
      assertMatch(refused.stderr, /^adasa: Could not write to .*adasa\.db: .*full/);
      assertEquals(refused.stderr.trim().split("\n").length, 1);
      assert(!(await list(client)).some((r) => r.name === "late"), "a refused app was created");

      // Supervision goes on: a crash is still restarted.
      Deno.kill(online.pid!, "SIGKILL");
      await waitForInstance(
        client,
        talker!.id,
        (r) => r.pid !== null && r.pid !== online.pid,
        "a new pid",
      );
      const dropped = await waitFor(
        async () =>
          (await client.request("describe", {
            target: "talker",
          }))[0]!,
        (d) => d.log_dropped_bytes > 0,
        { what: "dropped log bytes" },
      );
      assert(dropped.log_dropped_bytes > 0);

      Deno.removeSync(`${home}/filler`);
      const after = await daemon.cli(["start", "--name", "late", "sleep", "--", "60"]);
      assertEquals(after.code, 0, after.stderr);
      const marker = Date.now();
      await waitFor(
        () => daemon.cli(["logs", "talker", "--since", new Date(marker).toISOString(), "--json"]),
        (r) => r.stdout.trim().split("\n").filter(Boolean).length >= 3,
        { what: "new log lines after space returned", timeoutMs: 10_000 },
      );
      assertEquals((await instance(client, talker!.id)).status, "online");
    } finally {
      new Deno.Command("umount", { args: ["-l", home] }).outputSync();
      Deno.removeSync(home, { recursive: true });
    }
  },
});
