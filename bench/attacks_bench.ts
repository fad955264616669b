// deno-lint-ignore-file no-console
/**
 * Hostile clients against a real daemon (#16): for each attack, the daemon's RSS before, its
 * peak during (sampled every round of the pinger, and VmHWM reset through clear_refs) and after
 * it settled, and the
 * latency of a `ping` another client sends every 10 ms meanwhile.
 *
 *   nesting     one 16 MiB frame of 0x91 bytes
 *   values      one 16 MiB request of one-byte values
 *   pipeline    400 pipelined `describe` calls of a 4 MiB spec, never read, then dropped
 *   storm       1,200 connections: 200 idle, 500 vanishing mid-frame, 500 before the reply
 *
 * Run: deno run --allow-all bench/attacks_bench.ts [--only NAME]
 */
import { parseArgs } from "node:util";
import { encodeFrame, encodeMessage } from "../src/protocol/mod.ts";
import { cleanupAll, fmtMs, stats } from "./_util.ts";
import { startAdasaDaemon } from "./peers/adasa.ts";

const MiB = 1024 * 1024;
/** How long RSS may take to come back after an attack (V8 gives pages back lazily). */
const SETTLE_MS = 15_000;

function status(pid: number, field: "VmRSS" | "VmHWM"): number {
  const text = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(text.match(new RegExp(`^${field}:\\s+(\\d+) kB$`, "m"))![1]) * 1024;
}

function openFds(pid: number): number {
  return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
}

/** Prepares its bytes, then returns the attack itself, so the preparation is not measured. */
type Attack = (home: string) => () => Promise<void>;

async function connect(home: string): Promise<Deno.UnixConn> {
  return await Deno.connect({ transport: "unix", path: `${home}/adasa.sock` });
}

/** Writes a frame and waits until the daemon closes the connection (it refuses the frame). */
async function sendAndDrain(home: string, payload: Uint8Array): Promise<void> {
  const conn = await connect(home);
  try {
    await conn.write(encodeFrame(payload)).catch(() => {});
    const buffer = new Uint8Array(64 * 1024);
    while ((await conn.read(buffer).catch(() => null)) !== null) { /* the error reply */ }
  } finally {
    conn.close();
  }
}

const ATTACKS: Record<string, Attack> = {
  nesting: (home) => {
    const payload = new Uint8Array(16 * MiB - 4).fill(0x91);
    return () => sendAndDrain(home, payload);
  },
  values: (home) => {
    const count = 16 * MiB - 64;
    const head = encodeMessage({ v: 1, id: 1, op: "ping" });
    // A map of 4 with its 4th key "args" holding { x: [16 arrays of 1M nils] }: built by hand.
    const payload = new Uint8Array(count);
    payload.set(head.subarray(0, head.length));
    payload[0] = 0x84;
    const tail = Uint8Array.from([0xa4, 0x61, 0x72, 0x67, 0x73, 0x81, 0xa1, 0x78, 0x9f]);
    payload.set(tail, head.length);
    let offset = head.length + tail.length;
    while (offset + 5 < count) {
      const n = Math.min(1_000_000, count - offset - 5);
      payload.set([0xdd, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff], offset);
      payload.fill(0xc0, offset + 5, offset + 5 + n);
      offset += 5 + n;
    }
    return () => sendAndDrain(home, payload.subarray(0, offset));
  },
  pipeline: (home) => async () => {
    const conn = await connect(home);
    const one = encodeFrame(encodeMessage({
      v: 1,
      id: 1,
      op: "describe",
      args: { target: "big", show_env: true },
    }));
    const all = new Uint8Array(one.length * 400);
    for (let i = 0; i < 400; i++) all.set(one, i * one.length);
    await conn.write(all);
    // Never read; give the daemon time to do whatever it does with them, then vanish.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    conn.close();
  },
  storm: (home) => async () => {
    const idle: Deno.UnixConn[] = [];
    for (let i = 0; i < 200; i++) idle.push(await connect(home));
    const request = encodeFrame(encodeMessage({ v: 1, id: 1, op: "list", args: {} }));
    const vanish = async (bytes: Uint8Array) => {
      const conn = await connect(home);
      await conn.write(bytes).catch(() => {});
      conn.close();
    };
    for (let wave = 0; wave < 10; wave++) {
      await Promise.all([
        ...Array.from({ length: 50 }, () => vanish(request.subarray(0, 7))),
        ...Array.from({ length: 50 }, () => vanish(request)),
      ]);
    }
    for (const conn of idle) conn.close();
  },
};

/** Starts bench/attack_pinger.ts; stop() returns its round trips (ms) and the peak RSS. */
async function pinger(home: string, pid: number): Promise<{ stop(): Promise<[number[], number]> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      new URL("./attack_pinger.ts", import.meta.url).pathname,
      home,
      String(pid),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("ready\n")) {
    const { value, done } = await lines.read();
    if (done) throw new Error("the pinger ended before it was ready");
    text += value;
  }
  return {
    async stop() {
      await child.stdin.close();
      while (true) {
        const { value, done } = await lines.read();
        if (done) break;
        text += value;
      }
      await child.status;
      const result = JSON.parse(text.slice(text.indexOf("ready\n") + 6)) as {
        times: number[];
        peak: number;
      };
      return [result.times, result.peak];
    },
  };
}

async function settle(pid: number, fds: number, target: number): Promise<number> {
  const deadline = Date.now() + SETTLE_MS;
  let rss = status(pid, "VmRSS");
  while (Date.now() < deadline && (openFds(pid) > fds || rss > target)) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    rss = status(pid, "VmRSS");
  }
  return rss;
}

async function main(): Promise<void> {
  const flags = parseArgs({
    options: { only: { type: "string" }, verbose: { type: "boolean" } },
  }).values;
  const names = flags.only ? [flags.only] : Object.keys(ATTACKS);
  const home = await Deno.makeTempDir({ prefix: "adasa-attack-" });
  try {
    const daemon = await startAdasaDaemon(home);
    await daemon.client.request("start", {
      app: {
        name: "big",
        command: "sleep",
        args: ["600"],
        cwd: "/tmp",
        restart: "never",
        env: { BIG: "x".repeat(4 * MiB) },
      },
    });
    const mb = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
    console.log("attack      RSS before  peak during  after (settled)  ping median / max");
    for (const name of names) {
      const pid = daemon.pid;
      const fds = openFds(pid);
      const before = status(pid, "VmRSS");
      await Deno.writeTextFile(`/proc/${pid}/clear_refs`, "5"); // resets VmHWM to the current RSS
      const attack = ATTACKS[name]!(home);
      const ping = await pinger(home, pid);
      await attack();
      const [times, sampled] = await ping.stop();
      const pings = stats(times);
      const peak = Math.max(sampled, status(pid, "VmHWM"));
      if (flags.verbose) console.log(times.map((t) => t.toFixed(1)).join(" "));
      const after = await settle(pid, fds, before + 10 * MiB);
      console.log(
        `${name.padEnd(10)}  ${mb(before).padStart(10)}  ${mb(peak).padStart(11)}  ${
          `${mb(after)} (${after - before >= 0 ? "+" : ""}${mb(after - before)})`.padStart(15)
        }  ${fmtMs(pings.median)} / ${fmtMs(pings.max)}`,
      );
    }
    await daemon.stop();
  } finally {
    await cleanupAll();
    await Deno.remove(home, { recursive: true });
  }
}

if (import.meta.main) await main();
