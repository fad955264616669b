import { pipeSizeOf } from "../../src/daemon/pipe_size.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { startApp, waitForInstance } from "../_helpers/apps.ts";
import { assertEquals } from "../_helpers/assert.ts";
import { waitFor } from "../_helpers/wait.ts";

Deno.test("a burst of output grows the instance's stdout pipe to 1 MiB; a quiet one keeps 64 KiB", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const burst = `yes "$(printf '%099d' 0)" | head -c 20000000; exec sleep 3600`;
  const [busy] = await startApp(client, { name: "busy", command: "sh", args: ["-c", burst] });
  const [quiet] = await startApp(client, {
    name: "quiet",
    command: "sh",
    args: ["-c", "echo one line; exec sleep 3600"],
  });
  const pidOf = async (id: number) =>
    (await waitForInstance(client, id, (r) => typeof r.pid === "number", "a pid")).pid!;
  const busyPid = await pidOf(busy!.id);
  const quietPid = await pidOf(quiet!.id);
  await waitFor(() => pipeSizeOf(busyPid, 1), (size) => size === 1024 * 1024, {
    what: "a 1 MiB stdout pipe",
    timeoutMs: 30_000,
  });
  assertEquals(pipeSizeOf(busyPid, 2), 64 * 1024, "stderr printed nothing: its pipe is as made");
  assertEquals(pipeSizeOf(quietPid, 1), 64 * 1024);
});
