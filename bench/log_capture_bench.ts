// deno-lint-ignore-file no-console -- a benchmark prints its numbers
// Log capture benchmark. Prints:
// - capture throughput of one child writing 200 MB of 100-byte lines (`yes | head -c`),
//   lines lost (counted in the files afterwards) and the daemon-side peak RSS;
// - time to the first line of a `--since T` read in the middle of 1 GiB of history.
// With --pm2 [raw|time], the child's stdout also goes to a pm2-style out_file (#15.4), as is or
// with pm2's date before each line.
// Usage: deno run -A bench/log_capture_bench.ts [--capture-mb 200] [--history-mb 1024] [--dir D]
//        [--pm2 raw|time]
import { parseArgs } from "node:util";
import { DatabaseSync } from "node:sqlite";
import { LogCapture, readLogs } from "../src/logs/mod.ts";
import { NL, parseRecord } from "../src/logs/format.ts";
import { LogIndexStatements } from "../src/store/log_index.ts";

const { values } = parseArgs({
  options: {
    "capture-mb": { type: "string", default: "200" },
    "history-mb": { type: "string", default: "1024" },
    dir: { type: "string" },
    pm2: { type: "string" },
  },
});
const CAPTURE_BYTES = Number(values["capture-mb"]) * 1e6;
const HISTORY_BYTES = Number(values["history-mb"]) * 1024 * 1024;
const LINE = "a".repeat(99);
const MIGRATIONS = new URL("../migrations/", import.meta.url);

async function benchCapture(root: string): Promise<void> {
  const logs = new LogCapture({ dir: root, policy: { retainFiles: 1000, retainBytes: 2 ** 40 } });
  let peak = 0;
  const sampler = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 20);
  const started = performance.now();
  const child = new Deno.Command("sh", {
    args: ["-c", `yes ${LINE} | head -c ${CAPTURE_BYTES}`],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const pm2 = values.pm2 === undefined ? null : {
    out: `${root}/pm2-out.log`,
    err: null,
    both: null,
    dateFormat: values.pm2 === "time" ? "YYYY-MM-DDTHH:mm:ss" : null,
  };
  await logs.capture("bench", 1, { stdout: child.stdout, stderr: child.stderr }, { pm2 });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await child.status;
  await logs.close();
  const lines = await countLines(`${root}/bench`);
  const want = Math.ceil(CAPTURE_BYTES / 100);
  console.log(
    `capture: ${(CAPTURE_BYTES / 1e6 / seconds).toFixed(0)} MB/s ` +
      `(${(CAPTURE_BYTES / 1e6).toFixed(0)} MB in ${seconds.toFixed(2)} s)`,
  );
  console.log(`lines: ${lines} of ${want}, lost ${want - lines}`);
  console.log(`peak RSS during capture: ${(peak / 2 ** 20).toFixed(0)} MiB`);
}

async function countLines(dir: string): Promise<number> {
  let lines = 0;
  const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).filter((n) =>
    /^\d+\.log$/.test(n)
  );
  for (const name of names) {
    const bytes = await Deno.readFile(`${dir}/${name}`);
    for (let at = 0; at < bytes.length;) {
      const r = parseRecord(bytes, at, bytes.length);
      if (!r) throw new Error(`${name}: bad record at ${at}`);
      for (let p = bytes.indexOf(NL, r.body); p >= 0 && p < r.end; p = bytes.indexOf(NL, p + 1)) {
        lines++;
      }
      at = r.end;
    }
  }
  return lines;
}

/** Writes HISTORY_BYTES of lines, 64 KiB per ms of fake time, and indexes them. */
async function makeHistory(root: string, db: DatabaseSync): Promise<{ t0: number; t1: number }> {
  const index = new LogIndexStatements(db);
  const t0 = Date.UTC(2025, 0, 1);
  let now = t0;
  const logs = new LogCapture({
    dir: root,
    now: () => now,
    policy: { retainFiles: 1e6, retainBytes: 2 ** 50 },
  });
  const chunk = new TextEncoder().encode(`${LINE}\n`.repeat(655));
  let written = 0;
  const stdout = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (written >= HISTORY_BYTES) return controller.close();
      written += chunk.length;
      now += 1;
      controller.enqueue(chunk);
      if (written % (64 * 2 ** 20) < chunk.length) {
        db.exec("BEGIN");
        index.apply(logs.takePendingIndex());
        db.exec("COMMIT");
      }
    },
  });
  await logs.capture("history", 1, {
    stdout,
    stderr: new ReadableStream({ start: (c) => c.close() }),
  });
  await logs.close();
  db.exec("BEGIN");
  index.apply(logs.takePendingIndex());
  db.exec("COMMIT");
  return { t0, t1: now };
}

async function benchSince(root: string): Promise<void> {
  const path = `${root}/index.db`;
  const setup = new DatabaseSync(path);
  for (const name of ["0001_init.sql", "0003_log_index.sql"]) {
    setup.exec(await Deno.readTextFile(new URL(name, MIGRATIONS)));
  }
  const made = performance.now();
  const { t0, t1 } = await makeHistory(root, setup);
  setup.close();
  const mib = HISTORY_BYTES / 2 ** 20;
  console.log(
    `history: ${mib.toFixed(0)} MiB written and indexed in ${
      ((performance.now() - made) / 1000).toFixed(1)
    } s`,
  );
  const started = performance.now();
  const db = new DatabaseSync(path, { readOnly: true });
  const since = Math.floor((t0 + t1) / 2);
  const lines = readLogs(root, new LogIndexStatements(db), { apps: ["history"], since });
  const first = await lines.next();
  const ms = performance.now() - started;
  await lines.return(undefined);
  db.close();
  const at = first.done ? "none" : new Date(first.value.time).toISOString();
  console.log(
    `--since in the middle of ${mib.toFixed(0)} MiB: first line after ${ms.toFixed(1)} ms (${at})`,
  );
}

const root = await Deno.makeTempDir({
  prefix: "adasa_log_bench_",
  ...(values.dir ? { dir: values.dir } : {}),
});
try {
  await benchCapture(root);
  await benchSince(root);
} finally {
  await Deno.remove(root, { recursive: true });
}
