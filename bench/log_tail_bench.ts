// deno-lint-ignore-file no-console
/**
 * Log reads against a big history (#16.1, #16.9): a real daemon captures `--total` lines of
 * `--bytes` bytes, then times `logs --lines N` (the tail), a grep that matches nothing (a scan of
 * everything), and a backtracking `--regex` (ended by its time budget), while a second
 * thread pings every 10 ms on its own connection. Prints each read's time, the pings' latency during it and the
 * daemon's RSS.
 *
 * Run: deno run --allow-all bench/log_tail_bench.ts [--total 2000000] [--bytes 100] [--tail 1000000]
 */
import { parseArgs } from "node:util";
import { AdasaClient } from "../src/ipc/client.ts";
import type { LogsArgs } from "../src/protocol/ops.ts";
import { startAdasaDaemon } from "./peers/adasa.ts";
import { cleanupAll, fmtMs, memoryOf, onCleanup, printTable, sleep, stats } from "./_util.ts";

interface ReadResult {
  ms: number;
  lines: number;
  error: string | null;
  pings: number[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      total: { type: "string", default: "2000000" },
      bytes: { type: "string", default: "100" },
      tail: { type: "string", default: "1000000" },
    },
  });
  const total = Number(values.total), bytes = Number(values.bytes), tail = Number(values.tail);
  const tmp = await Deno.makeTempDir({ prefix: "adasa-tail-bench-" });
  onCleanup(() => Deno.remove(tmp, { recursive: true }).catch(() => {}));
  const daemon = await startAdasaDaemon(`${tmp}/home`);
  try {
    const script = `${tmp}/spew.js`;
    await Deno.writeTextFile(script, spewSource(total, bytes));
    const size = total * bytes;
    await daemon.client.request("start", {
      app: {
        name: "big",
        command: "/usr/bin/node",
        args: [script],
        cwd: tmp,
        restart: "never",
        log_retain_bytes: size * 2,
        log_retain_files: 100_000,
      },
    });
    const started = performance.now();
    await waitForLast(daemon.client, `line ${total} `);
    const captureMs = performance.now() - started;
    console.log(
      `captured ${total} lines (${(size / 2 ** 20).toFixed(0)} MiB) in ${fmtMs(captureMs)}`,
    );
    const rows: Array<[string, string, string]> = [];
    const report = (name: string, r: ReadResult) => {
      const p = stats(r.pings.length ? r.pings : [0]);
      rows.push([
        name,
        r.error ? "error" : fmtMs(r.ms),
        `${r.lines} lines${r.error ? ` (${r.error})` : ""}; ping p95 ${fmtMs(p.p95)}, max ${
          fmtMs(p.max)
        } (${p.n}); daemon RSS ${(memoryOf(daemon.pid).rss / 2 ** 20).toFixed(0)} MiB`,
      ]);
    };
    report(`tail ${tail}`, await timedRead(daemon.home, { targets: ["big"], lines: tail }));
    report("grep, no match", await timedRead(daemon.home, { targets: ["big"], grep: "zzz" }));
    report(
      "regex (x+x+)+y",
      await timedRead(daemon.home, { targets: ["big"], grep: "(x+x+)+y", regex: true }),
    );
    printTable(`logs reads over ${total} lines (goal: ping under 50 ms, tail in seconds)`, rows);
  } finally {
    await daemon.stop();
    await cleanupAll();
  }
}

function spewSource(total: number, bytes: number): string {
  return `
const pad = "x".repeat(${bytes});
let i = 1;
function write() {
  let ok = true;
  while (i <= ${total} && ok) {
    let chunk = "";
    for (let k = 0; k < 1000 && i <= ${total}; k++, i++) chunk += ("line " + i + " " + pad).slice(0, ${
    bytes - 1
  }) + "\\n";
    ok = process.stdout.write(chunk);
  }
  if (i <= ${total}) process.stdout.once("drain", write);
}
write();
`;
}

async function waitForLast(client: AdasaClient, prefix: string): Promise<void> {
  for (;;) {
    for await (const frame of client.stream("logs", { targets: ["big"], lines: 1 })) {
      const lines = frame.data;
      if (lines.some((l) => l.text.startsWith(prefix))) return;
    }
    await sleep(200);
  }
}

/** One read on its own connection while a worker thread pings every 10 ms. */
async function timedRead(home: string, args: LogsArgs): Promise<ReadResult> {
  await using reader = await AdasaClient.connect({ home });
  const pinger = new Worker(new URL("./_ping_worker.ts", import.meta.url), { type: "module" });
  const message = () =>
    new Promise<unknown>((resolve) => (pinger.onmessage = (e) => resolve(e.data)));
  try {
    const ready = message();
    pinger.postMessage({ home });
    await ready;
    const started = performance.now();
    let lines = 0;
    let error: string | null = null;
    try {
      for await (const frame of reader.stream("logs", args)) {
        lines += frame.data.length;
      }
    } catch (e) {
      error = (e as Error).message.slice(0, 60);
    }
    const ms = performance.now() - started;
    const pings = message();
    pinger.postMessage("stop");
    return { ms, lines, error, pings: (await pings) as number[] };
  } finally {
    pinger.terminate();
  }
}

if (import.meta.main) await main();
