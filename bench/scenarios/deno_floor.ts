/**
 * The runtime's own memory, the floor a Deno daemon cannot go below (#17): a bare Deno script,
 * idle or holding `children` `sleep`s with piped output, measured like the daemons.
 */
import {
  baseEnv,
  childrenOf,
  killTracked,
  type MemoryFigures,
  memoryOf,
  onCleanup,
  sleep,
  track,
  waitGone,
} from "../_util.ts";

const SCRIPT = `
const n = Number(Deno.args[0]);
const kids = [];
for (let i = 0; i < n; i++) {
  const c = new Deno.Command("sleep", { args: ["3600"], stdin: "null", stdout: "piped", stderr: "piped" }).spawn();
  c.stdout.pipeTo(new WritableStream()).catch(() => {});
  c.stderr.pipeTo(new WritableStream()).catch(() => {});
  kids.push(c);
}
console.log("ready");
setInterval(() => {}, 1000);
`;

/** Waits `settleMs`, then takes three readings a second apart and keeps the last. */
export async function settledMemory(pid: number, settleMs = 3_000): Promise<MemoryFigures> {
  await sleep(settleMs);
  let m = memoryOf(pid);
  for (let i = 0; i < 2; i++) {
    await sleep(1_000);
    m = memoryOf(pid);
  }
  return m;
}

/** RSS, PSS and anonymous memory of a bare Deno script holding `children` piped children. */
export async function denoFloor(children: number): Promise<MemoryFigures> {
  const file = await Deno.makeTempFile({ prefix: "adasa-floor-", suffix: ".js" });
  onCleanup(() => Deno.remove(file).catch(() => {}));
  await Deno.writeTextFile(file, SCRIPT);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-config", "--no-lock", file, String(children)],
    env: baseEnv("/tmp"),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const self = track(child.pid)!;
  const reader = child.stdout.getReader();
  await reader.read(); // "ready"
  reader.releaseLock();
  const m = await settledMemory(child.pid);
  const kids = childrenOf(child.pid).map(track).filter((t) => t !== null);
  killTracked(self, "SIGKILL");
  for (const k of kids) killTracked(k, "SIGKILL");
  await child.status;
  await child.stdout.cancel().catch(() => {});
  await waitGone(kids.map((k) => k.pid), 5_000);
  return m;
}
