/**
 * 7. Log capture: one program writes 200 MB of numbered 100-byte lines as fast as it can; the
 * time runs from the writer's own start to the moment the tool's log file ends with the last
 * line. Every line is then read back from the files and checked in order: lines lost. The
 * floor runs in the same rotation: a bare Deno program that spawns the same writer and copies
 * its stdout pipe into a file (`stdout.pipeTo(file.writable)`), keeping no line times.
 */
import {
  baseEnv,
  killTracked,
  memoryOf,
  onCleanup,
  rawLines,
  sleep,
  stats,
  track,
} from "../_util.ts";
import type { CaptureTarget, Measure, Peer, Row, ScenarioContext } from "./types.ts";
import { LINE_BYTES } from "./writer.ts";

/** The name of the bare-Deno pipe floor in the capture rotation. */
const FLOOR = "deno pipe floor";
const FLOOR_SCRIPT = `
const [out, command, ...args] = Deno.args;
const file = await Deno.open(out, { write: true, create: true, truncate: true });
const child = new Deno.Command(command, { args, stdin: "null", stdout: "piped", stderr: "null" }).spawn();
await child.stdout.pipeTo(file.writable);
await child.status;
`;

/** The part of a Peer the capture scenario uses. */
type Capturer = Pick<Peer, "name" | "startCapture"> & { daemonPid: number };

/** The floor as a capturer: each capture is a fresh bare Deno process copying the pipe. */
async function denoPipeFloor(tmp: string): Promise<Capturer> {
  const script = `${tmp}/floor.js`;
  await Deno.writeTextFile(script, FLOOR_SCRIPT);
  return {
    name: FLOOR,
    daemonPid: 0,
    startCapture(name, command, args): Promise<CaptureTarget> {
      const out = `${tmp}/floor-${name}.log`;
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-config", "--no-lock", script, out, command, ...args],
        env: baseEnv(tmp),
        clearEnv: true,
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      const self = track(child.pid);
      const stop = async () => {
        if (self) killTracked(self, "SIGKILL", { group: false });
        await child.status;
      };
      onCleanup(stop);
      return Promise.resolve({
        tailFile: out,
        timed: false,
        lines: () => rawLines([out]),
        async cleanup() {
          await stop();
          await Deno.remove(out).catch(() => {});
        },
      });
    },
  };
}

const WRITER = new URL("./writer.ts", import.meta.url).pathname;
const encoder = new TextEncoder();

function lineText(n: number): Uint8Array {
  return encoder.encode(`${String(n).padStart(10, "0")}${"x".repeat(LINE_BYTES - 11)}\n`);
}

/** Whether `path` currently ends with `tail` (sync: called in a tight polling loop). */
function endsWith(path: string, tail: Uint8Array): boolean {
  try {
    using file = Deno.openSync(path);
    const size = file.statSync().size;
    if (size < tail.length) return false;
    file.seekSync(size - tail.length, Deno.SeekMode.Start);
    const buf = new Uint8Array(tail.length);
    let got = 0;
    while (got < buf.length) {
      const n = file.readSync(buf.subarray(got));
      if (n === null) return false;
      got += n;
    }
    return buf.every((b, i) => b === tail[i]);
  } catch {
    return false;
  }
}

/** Reads the lines back: count, lines missing from the numbered sequence, out of order. */
async function verify(
  lines: AsyncGenerator<Uint8Array>,
  want: number,
): Promise<{ count: number; lost: number; disorder: number }> {
  let count = 0;
  let lost = 0;
  let disorder = 0;
  let next = 1;
  for await (const line of lines) {
    count++;
    let n = 0;
    for (let i = 0; i < 10; i++) n = n * 10 + line[i]! - 0x30;
    if (line.length !== LINE_BYTES - 1 || n < next) {
      disorder++;
      continue;
    }
    lost += n - next;
    next = n + 1;
  }
  lost += want + 1 - next;
  return { count, lost, disorder };
}

export async function capture(ctx: ScenarioContext, megabytes: number, runs: number): Promise<
  Row[]
> {
  const lines = Math.round((megabytes * 1e6) / LINE_BYTES);
  const bytes = lines * LINE_BYTES;
  const last = lineText(lines);
  const tmp = await Deno.makeTempDir({ prefix: "adasa-bench-capture-" });
  const all: Capturer[] = [...ctx.peers, await denoPipeFloor(tmp)];
  const mb = new Map<string, number[]>(all.map((p) => [p.name, []]));
  const lostBy = new Map<string, number>(all.map((p) => [p.name, 0]));
  const rssBefore = new Map<string, number>();
  const rssAfter = new Map<string, number>();
  const timed = new Map<string, boolean>();
  const failedBy = new Map<string, number>();
  try {
    for (let r = 0; r < runs; r++) {
      for (const p of [...all.slice(r % all.length), ...all.slice(0, r % all.length)]) {
        if (p.daemonPid && !rssBefore.has(p.name)) {
          rssBefore.set(p.name, memoryOf(p.daemonPid).rss / 1e6);
        }
        const mark = `${tmp}/${p.name}-${r}.mark`;
        const target = await p.startCapture(`cap${r}`, Deno.execPath(), [
          "run",
          "--no-config",
          "--no-lock",
          `--allow-write=${tmp}`,
          WRITER,
          String(lines),
          mark,
        ]);
        try {
          const deadline = performance.now() + 180_000;
          let unfinished = false;
          while (!endsWith(target.tailFile, last)) {
            target.poll?.();
            if (performance.now() > deadline) {
              unfinished = true;
              break;
            }
            await sleep(2);
          }
          if (unfinished) {
            // One peer's failed run must not lose the whole table: count it and go on.
            failedBy.set(p.name, (failedBy.get(p.name) ?? 0) + 1);
            ctx.log(
              `capture ${p.name} run ${r + 1}: the last line never arrived (counted as failed)`,
            );
            continue;
          }
          const end = performance.timeOrigin + performance.now();
          const start = Number(await Deno.readTextFile(mark));
          const seconds = (end - start) / 1000;
          mb.get(p.name)!.push(bytes / 1e6 / seconds);
          const check = await verify(target.lines(), lines);
          if (p.daemonPid) rssAfter.set(p.name, memoryOf(p.daemonPid).rss / 1e6);
          lostBy.set(p.name, lostBy.get(p.name)! + check.lost + check.disorder);
          timed.set(p.name, target.timed);
          ctx.log(
            `capture ${p.name} run ${r + 1}: ${(bytes / 1e6 / seconds).toFixed(0)} MB/s, ` +
              `${check.count} lines read back, ${check.lost} lost, ${check.disorder} out of order`,
          );
        } finally {
          await target.cleanup();
        }
      }
    }
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  const values: Record<string, Measure> = {};
  const rss: Record<string, Measure> = {};
  for (const p of all) {
    const s = stats(mb.get(p.name)!);
    values[p.name] = {
      value: s.median,
      stats: s,
      note: `${lostBy.get(p.name)} lines lost; line times ${
        timed.get(p.name) ? "kept" : "not kept"
      }${failedBy.get(p.name) ? `; ${failedBy.get(p.name)} run(s) never finished` : ""}`,
    };
    if (!p.daemonPid) continue;
    rss[p.name] = {
      value: rssAfter.get(p.name) ?? 0,
      note: `${(rssBefore.get(p.name) ?? 0).toFixed(1)} MB before the first capture`,
    };
  }
  const floor = values[FLOOR]!;
  delete values[FLOOR];
  return [
    {
      key: "capture",
      title: `7. Log capture, ${megabytes} MB of 100-byte lines (${runs} runs)`,
      unit: "MB/s",
      lowerIsBetter: false,
      values,
    },
    {
      key: "capture-rss",
      title: "7. Daemon RSS after the capture",
      unit: "MB",
      lowerIsBetter: true,
      values: rss,
    },
    {
      key: "capture-floor",
      title: "7. Floor: bare Deno copying the same pipe into a file (not adasa; no line times)",
      unit: "MB/s",
      lowerIsBetter: false,
      values: { adasa: floor },
    },
  ];
}
