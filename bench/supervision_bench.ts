/**
 * Supervision benchmark: crash-to-restart latency, `adasa start` latency, starting and
 * stopping 100 `sleep` apps, and `adasa list` with 100 apps. Medians of at least 20 runs.
 *
 *   deno run -A bench/supervision_bench.ts [--runs N]
 */
import { parseArgs } from "node:util";
import type { InstanceInfo } from "../src/protocol/messages.ts";
import { childrenOf, fmtMs, printTable, ROOT, stats, timeCommand } from "./_util.ts";
import { startAdasaDaemon } from "./peers/adasa.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "20" } },
});
const RUNS = Math.max(1, Number(values.runs));
const BASE_ENV = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };

const home = await Deno.makeTempDir({ prefix: "adasa-bench-" });
const daemon = await startAdasaDaemon(home);
const client = daemon.client;
// Stops the daemon and its children by pid and removes the home, however the script ends.
await using _cleanup = {
  async [Symbol.asyncDispose]() {
    await daemon.stop();
    await Deno.remove(home, { recursive: true });
  },
};
const rows: Array<[string, string, string]> = [];

/** Wall time of a whole `adasa ARGS` process run from source against this daemon. */
function timeCli(args: string[]): Promise<number> {
  const cli = ["run", "--allow-all", "--config", `${ROOT}deno.json`, `${ROOT}cli/main.ts`];
  return timeCommand(Deno.execPath(), [...cli, ...args], { ADASA_HOME: daemon.home });
}

// 1. Crash to restart: SIGKILL the child, time until the daemon has a new child.
await client.request("start", {
  app: {
    name: "crash",
    command: "sleep",
    args: ["3600"],
    cwd: "/tmp",
    base_env: BASE_ENV,
    min_uptime_ms: 50,
  },
});
const crash: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const [row] = await waitOnline(client, "crash");
  await new Promise((r) => setTimeout(r, 60)); // up past min_uptime: restarted without backoff
  const old = row!.pid!;
  const t0 = performance.now();
  Deno.kill(old, "SIGKILL");
  while (true) {
    const kids = childrenOf(daemon.pid).filter((p) => p !== old);
    if (kids.length > 0) break;
  }
  crash.push(performance.now() - t0);
}
await client.request("delete", { targets: ["crash"] });
const c = stats(crash);
rows.push([
  "crash to new child",
  fmtMs(c.median),
  `p95 ${fmtMs(c.p95)}, max ${fmtMs(c.max)} (target <= pm2's 8.7 ms)`,
]);

// 2. `adasa start` latency: a whole CLI process creating and starting an app.
const cliStart: number[] = [];
for (let i = 0; i < RUNS; i++) {
  cliStart.push(
    await timeCli(["start", "--name", `s${i}`, "sleep", "--", "3600"]),
  );
}
await client.request("delete", { targets: Array.from({ length: RUNS }, (_, i) => `s${i}`) });
const s = stats(cliStart);
rows.push(["adasa start (CLI from source)", fmtMs(s.median), `p95 ${fmtMs(s.p95)}`]);

// 3-5. 100 apps: start them, list them, stop them all.
const start100: number[] = [];
const stop100: number[] = [];
const list100: number[] = [];
const rounds = Math.max(3, Math.min(RUNS, 5));
for (let round = 0; round < rounds; round++) {
  let t0 = performance.now();
  await Promise.all(Array.from({ length: 100 }, (_, i) =>
    client.request("start", {
      app: { name: `app${i}`, command: "sleep", args: ["3600"], cwd: "/tmp", base_env: BASE_ENV },
    })));
  start100.push(performance.now() - t0);
  if (round === 0) {
    for (let i = 0; i < RUNS; i++) {
      list100.push(
        await timeCli(["list", "--json"]),
      );
    }
  }
  t0 = performance.now();
  await client.request("stop", { targets: ["all"] });
  stop100.push(performance.now() - t0);
  await client.request("delete", { targets: ["all"] });
}
const a = stats(start100);
const b = stats(stop100);
const l = stats(list100);
rows.push([
  "start 100 apps (one client)",
  fmtMs(a.median),
  `max ${fmtMs(a.max)} over ${a.n} rounds (target 300 ms)`,
]);
rows.push(["stop all 100", fmtMs(b.median), `max ${fmtMs(b.max)} (target 300 ms)`]);
rows.push([
  "adasa list --json, 100 apps",
  fmtMs(l.median),
  `p95 ${fmtMs(l.p95)} (CLI from source; target 50 ms)`,
]);

printTable(`Supervision (${RUNS} runs, median)`, rows);

async function waitOnline(c: typeof client, name: string): Promise<InstanceInfo[]> {
  while (true) {
    const rows = (await c.request("list")).filter((r) => r.name === name);
    if (rows.length && rows.every((r) => r.status === "online" && r.pid !== null)) return rows;
    await new Promise((r) => setTimeout(r, 5));
  }
}
