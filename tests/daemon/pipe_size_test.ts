import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { GROWN_PIPE_BYTES, PipeGrower, pipeSizeOf } from "../../src/daemon/pipe_size.ts";

/** A `sleep` whose stdout is a pipe to this test and whose stderr is /dev/null. */
function sleeper(): Deno.ChildProcess {
  return new Deno.Command("sleep", { args: ["30"], stdout: "piped", stderr: "null" }).spawn();
}

async function stop(child: Deno.ChildProcess): Promise<void> {
  try {
    Deno.kill(child.pid, "SIGKILL");
  } catch { /* exited */ }
  await child.status;
  await child.stdout.cancel();
}

Deno.test("PipeGrower grows a child's stdout pipe to 1 MiB and leaves a non-pipe alone", async () => {
  const child = sleeper();
  try {
    assertEquals(pipeSizeOf(child.pid, 1), 64 * 1024);
    const grower = new PipeGrower();
    assertEquals(grower.grow(child.pid, 1), true);
    assertEquals(pipeSizeOf(child.pid, 1), GROWN_PIPE_BYTES);
    assertEquals(grower.grown, 1);
    assertEquals(grower.grow(child.pid, 2), false); // /dev/null
    assertEquals(pipeSizeOf(child.pid, 2), null);
    assertEquals(grower.grown, 1);
  } finally {
    await stop(child);
  }
});

Deno.test("PipeGrower grows at most `max` pipes until one is released", async () => {
  const a = sleeper();
  const b = sleeper();
  try {
    const grower = new PipeGrower({ max: 1 });
    assertEquals(grower.grow(a.pid, 1), true);
    assertEquals(grower.grow(b.pid, 1), false);
    assertEquals(pipeSizeOf(b.pid, 1), 64 * 1024);
    grower.release();
    assertEquals(grower.grow(b.pid, 1), true);
    assertEquals(pipeSizeOf(b.pid, 1), GROWN_PIPE_BYTES);
  } finally {
    await stop(a);
    await stop(b);
  }
});

Deno.test("PipeGrower.grow() of a process that is gone returns false", async () => {
  const child = sleeper();
  await stop(child);
  assertEquals(new PipeGrower().grow(child.pid, 1), false);
});
