/**
 * 9. Adasa only: reads into a long history through the built CLI. A daemon home is given 100
 * apps and one "history" app, then, with the daemon stopped, the store gets a day of 2-s samples
 * for the 100 apps (rolled up as the daemon would) and the history app gets `historyMiB` of log
 * lines spread over that day, indexed; then the daemon starts again on it and the CLI is timed:
 * `logs` to its first byte of output and to its end.
 */
import { LogCapture } from "../../src/logs/mod.ts";
import { Store } from "../../src/store/mod.ts";
import { onCleanup, run, stats } from "../_util.ts";
import { CLI, startAdasaDaemon } from "../peers/adasa.ts";
import type { Row, ScenarioContext } from "./types.ts";

const APPS = 100;
const TICK_MS = 2000;
const LINE = "a".repeat(99);
const LINES_PER_CHUNK = 655;

export async function history(
  ctx: ScenarioContext,
  options: { historyMiB: number; hours: number },
): Promise<Row[]> {
  const tmp = await Deno.makeTempDir({ prefix: "adasa-bench-history-" });
  onCleanup(() => Deno.remove(tmp, { recursive: true }).catch(() => {}));
  const home = `${tmp}/home`;
  const daemon = await startAdasaDaemon(home);
  const base = { cwd: "/tmp", base_env: { PATH: daemon.env.PATH! }, restart: "never" };
  await daemon.client.request("start", { app: { name: "history", command: "true", ...base } });
  for (let i = 1; i <= APPS; i++) {
    await daemon.client.request("start", { app: { name: `app-${i}`, command: "true", ...base } });
  }
  const ids = new Map(
    (await daemon.client.request("list")).map((
      r,
    ) => [r.name, r.id]),
  );
  await daemon.stop();

  const end = Date.now();
  const start = end - options.hours * 3_600_000 + 10 * 60_000; // inside the raw retention
  const t0 = performance.now();
  {
    using store = Store.open(`${home}/adasa.db`);
    // Generated inside SQLite, one statement per hour of samples: the same rows as the daemon's
    // ticks would write (cpu 0 to 5 %, memory 20 to 25 MB), in a fraction of the time.
    const insert = store.db.prepare(
      `WITH RECURSIVE t(at) AS (SELECT ? UNION ALL SELECT at + ${TICK_MS} FROM t WHERE at + ${TICK_MS} < ?),
         a(i, id) AS (SELECT key + 1, value FROM json_each(?)),
         s AS (SELECT at, i, id, abs(random()) % 501 / 100.0 AS cpu,
           20000000 + abs(random()) % 5000000 AS memory FROM t, a)
       INSERT INTO stats (at, instance_id, app, pid, cpu, memory, group_cpu, group_memory)
       SELECT at, id, 'app-' || i, 10000 + i, cpu, memory, cpu, memory FROM s ORDER BY at, i`,
    );
    const idsJson = JSON.stringify(
      Array.from({ length: APPS }, (_, i) => ids.get(`app-${i + 1}`)!),
    );
    for (let at = start; at < end; at += 3_600_000) {
      store.transaction(() => insert.run(at, Math.min(end, at + 3_600_000), idsJson));
    }
    while (store.stats.rollup(end, { maxMinutes: 120 }) > 0) { /* two hours at a time */ }
    ctx.log(
      `history: ${options.hours} h of stats for ${APPS} apps written in ${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s`,
    );

    const t1 = performance.now();
    const bytes = options.historyMiB * 2 ** 20;
    const chunk = new TextEncoder().encode(`${LINE}\n`.repeat(LINES_PER_CHUNK));
    const steps = Math.ceil(bytes / chunk.length);
    const stepMs = (end - start - 60_000) / steps;
    let now = start;
    const logs = new LogCapture({
      dir: `${home}/logs`,
      now: () => Math.floor(now),
      policy: { retainFiles: 1e6, retainBytes: 2 ** 50 },
    });
    let written = 0;
    const stdout = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (written >= steps) return controller.close();
        written++;
        now += stepMs;
        controller.enqueue(chunk);
        if (written % 1024 === 0) {
          store.transaction(() => store.logIndex.apply(logs.takePendingIndex()));
        }
      },
    });
    await logs.capture("history", ids.get("history")!, {
      stdout,
      stderr: new ReadableStream({ start: (c) => c.close() }),
    });
    await logs.close();
    store.transaction(() => store.logIndex.apply(logs.takePendingIndex()));
    ctx.log(
      `history: ${options.historyMiB} MiB of log lines written and indexed in ${
        ((performance.now() - t1) / 1000).toFixed(1)
      } s`,
    );
  }

  // The generator's writes reach the disk first: the start is timed on a history at rest.
  await new Deno.Command("sync").output();
  const t2 = performance.now();
  const bundled = await startAdasaDaemon(home, 300_000);
  const startupMs = performance.now() - t2;
  ctx.log(`history: the daemon answered ${(startupMs / 1000).toFixed(2)} s after its start`);
  const env = bundled.env;
  const mid = Math.floor((start + end) / 2);
  const iso = (t: number) => new Date(t).toISOString();
  const logsArgs = ["logs", "history", "--since", iso(mid), "--until", iso(mid + 10_000)];
  const statsAll = ["stats", "all", "--since", `${options.hours}h`];
  const statsOne = ["stats", "app-50", "--since", `${options.hours}h`];
  const timesLogs: number[] = [];
  const firstLogs: number[] = [];
  const timesAll: number[] = [];
  const timesOne: number[] = [];
  let logLines = 0;
  try {
    for (const args of [logsArgs, statsAll, statsOne]) await run(CLI, args, { env });
    for (let r = 0; r < ctx.runs; r++) {
      const l = await firstByte(CLI, logsArgs, env);
      timesLogs.push(l.ms);
      firstLogs.push(l.firstMs);
      logLines = l.lines;
      timesAll.push((await run(CLI, statsAll, { env })).ms);
      timesOne.push((await run(CLI, statsOne, { env })).ms);
    }
  } finally {
    await bundled.stop();
  }
  const row = (key: string, title: string, samples: number[], note?: string): Row => {
    const s = stats(samples);
    return {
      key,
      title,
      unit: "ms",
      lowerIsBetter: true,
      values: { adasa: { value: s.median, stats: s, ...(note ? { note } : {}) } },
    };
  };
  return [
    row(
      "logs-since",
      `9. adasa logs --since/--until: 10 s in the middle of ${options.historyMiB} MiB`,
      timesLogs,
      `${logLines} lines printed`,
    ),
    row(
      "logs-first",
      `9. adasa logs --since/--until into ${options.historyMiB} MiB: time to the first line`,
      firstLogs,
    ),
    row(
      "stats-all",
      `9. adasa stats all --since ${options.hours}h (charts), ${APPS} apps`,
      timesAll,
    ),
    row("stats-one", `9. adasa stats app-50 --since ${options.hours}h (chart)`, timesOne),
    row("history-start", "9. Daemon start until it answers, on that history", [startupMs]),
  ];
}

/** Runs the CLI, timing its first byte of output and its end. */
async function firstByte(
  cmd: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ firstMs: number; ms: number; lines: number }> {
  const started = performance.now();
  const child = new Deno.Command(cmd, {
    args,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let firstMs = NaN;
  let lines = 0;
  for await (const chunk of child.stdout) {
    if (Number.isNaN(firstMs)) firstMs = performance.now() - started;
    for (const byte of chunk) if (byte === 10) lines++;
  }
  const { code } = await child.status;
  if (code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${code}`);
  return { firstMs, ms: performance.now() - started, lines };
}
