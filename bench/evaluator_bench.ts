/**
 * The ecosystem evaluator (#16.5): how long loading a small `ecosystem.config.js` takes, in
 * namespaces and with Deno's permissions alone; then, through a real daemon, the daemon's RSS
 * (before, peak, after) and a concurrent ping's latency while it loads a file that prints
 * `--mib` MiB before exporting its app (the evaluator used to keep all of it in memory). The
 * daemon gives a file 10 s: on a busy machine, 256 MiB through a pipe may not fit in it.
 *
 * Run: deno run --allow-all bench/evaluator_bench.ts [--runs 7] [--mib 64]
 */
import { parseArgs } from "node:util";
import { AdasaClient } from "../src/ipc/client.ts";
import { loadConfigFile } from "../src/config/mod.ts";
import { startAdasaDaemon } from "./peers/adasa.ts";
import { cleanupAll, fmtMs, memoryOf, onCleanup, printTable, sleep, stats } from "./_util.ts";

const SIMPLE = 'module.exports = { apps: [{ name: "api", script: "sleep", args: "60" }] };\n';

async function loadTimes(dir: string, runs: number, namespaces: boolean): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = await loadConfigFile("simple.config.js", {
      cwd: dir,
      env: { PATH: "/usr/bin:/bin" },
      hidden: [`${dir}/home`],
      namespaces,
    });
    if (result.problems.length) throw new Error(result.problems.join("\n"));
    times.push(performance.now() - started);
  }
  return times;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: "string", default: "7" }, mib: { type: "string", default: "64" } },
  });
  const runs = Number(values.runs), mib = Number(values.mib);
  const dir = await Deno.makeTempDir({ prefix: "adasa-eval-bench-" });
  onCleanup(() => Deno.remove(dir, { recursive: true }).catch(() => {}));
  await Deno.writeTextFile(`${dir}/simple.config.js`, SIMPLE);
  const rows: Array<[string, string, string]> = [];
  for (const namespaces of [true, false]) {
    const s = stats(await loadTimes(dir, runs, namespaces));
    rows.push([
      namespaces ? "load, namespaces" : "load, Deno only",
      fmtMs(s.median),
      `p95 ${fmtMs(s.p95)}, max ${fmtMs(s.max)} (${runs} runs)`,
    ]);
  }
  await Deno.writeTextFile(
    `${dir}/loud.config.js`,
    `const line = "x".repeat(1024 * 1024 - 1) + "\\n";
for (let i = 0; i < ${mib}; i++) process.stdout.write(line);
module.exports = { apps: [{ name: "loud", script: "sleep", args: "60" }] };\n`,
  );
  const daemon = await startAdasaDaemon(`${dir}/home`);
  try {
    const before = memoryOf(daemon.pid).rss;
    let peak = before;
    let loading = true;
    const pings: number[] = [];
    const pinger = await AdasaClient.connect({ home: daemon.home });
    const pinging = (async () => {
      while (loading) {
        const started = performance.now();
        try {
          await pinger.request("ping");
        } catch {
          return; // the daemon stopped
        }
        pings.push(performance.now() - started);
        peak = Math.max(peak, memoryOf(daemon.pid).rss);
        await sleep(20);
      }
    })();
    const started = performance.now();
    let failed = "";
    try {
      await daemon.client.request("start", {
        config: { path: `${dir}/loud.config.js`, cwd: dir, env: { PATH: "/usr/bin:/bin" } },
      });
    } catch (error) {
      failed = (error as Error).message.replace(/^.*: /, "");
    } finally {
      loading = false;
      await pinging;
    }
    const loadMs = performance.now() - started;
    pinger.close();
    if (!failed) await daemon.client.request("delete", { targets: ["loud"] });
    const after = memoryOf(daemon.pid).rss;
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
    const p = stats(pings.length ? pings : [0]);
    rows.push([`start, file printing ${mib} MiB`, fmtMs(loadMs), failed || "through the daemon"]);
    rows.push(["daemon RSS", mb(peak), `peak; ${mb(before)} before, ${mb(after)} after`]);
    rows.push(["ping during it", fmtMs(p.median), `p95 ${fmtMs(p.p95)}, max ${fmtMs(p.max)}`]);
  } finally {
    await daemon.stop();
  }
  printTable("ecosystem evaluator", rows);
}

try {
  await main();
} finally {
  await cleanupAll();
}
