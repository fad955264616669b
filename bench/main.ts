// deno-lint-ignore-file no-console -- a benchmark prints its numbers
/**
 * Scenario benchmarks of Adasa, optionally side by side with pm2 and supervisord.
 *
 *   deno task bench [--quick] [--vs-pm2] [--vs-supervisord] [--write] [--no-write]
 *
 * --quick runs a few repetitions of each (under 2 minutes); the full run takes under 15. A full
 * run writes bench/RESULTS.md (--no-write skips it; --write also writes it after --quick).
 * Every daemon and process started here is stopped by pid at the end, also on Ctrl-C.
 */
import { parseArgs } from "node:util";
import { cleanupAll, ROOT, run } from "./_util.ts";
import { buildCli, CLI, startAdasa } from "./peers/adasa.ts";
import { startPm2 } from "./peers/pm2.ts";
import { startSupervisord } from "./peers/supervisord.ts";
import { batchStart } from "./scenarios/batch_start.ts";
import { capture } from "./scenarios/capture.ts";
import { crash, lifecycle, memory, ping, startOneByOne } from "./scenarios/core.ts";
import { history } from "./scenarios/history.ts";
import { scale } from "./scenarios/scale.ts";
import { denoFloor } from "./scenarios/deno_floor.ts";
import { churn } from "./scenarios/churn.ts";
import { goals, goalsText, howList, table } from "./scenarios/report.ts";
import type { Peer, Row, ScenarioContext } from "./scenarios/types.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    "vs-pm2": { type: "boolean", default: false },
    "vs-supervisord": { type: "boolean", default: false },
    write: { type: "boolean", default: false },
    "no-write": { type: "boolean", default: false },
  },
});
const QUICK = values.quick;
const PLAN = QUICK
  ? { runs: 5, rounds: 2, cpuS: 10, oneByOne: 10, captureMB: 200, captureRuns: 1, hMiB: 128, h: 1 }
  : {
    runs: 20,
    rounds: 5,
    cpuS: 60,
    oneByOne: 100,
    captureMB: 200,
    captureRuns: 3,
    hMiB: 1024,
    h: 24,
  };

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const log = (m: string) => console.log(`[${elapsed().padStart(5)}] ${m}`);

let interrupted = false;
const onSignal = () => {
  if (interrupted) return;
  interrupted = true;
  console.error("\nInterrupted: stopping every daemon and process started here…");
  cleanupAll().finally(() => Deno.exit(130));
};
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);

async function machine(): Promise<Record<string, string>> {
  const meminfo = await Deno.readTextFile("/proc/meminfo");
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo");
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? "unknown CPU";
  let node = "not found";
  try {
    node = (await run("node", ["--version"], { env: { PATH: Deno.env.get("PATH") ?? "" } }))
      .stdout.trim();
  } catch { /* no node */ }
  return {
    cores: String(navigator.hardwareConcurrency),
    memory: `${(memKb / 2 ** 20).toFixed(1)} GiB`,
    cpu: model,
    deno: Deno.version.deno,
    node,
    kernel: Deno.osRelease(),
  };
}

async function main(): Promise<void> {
  const info = await machine();
  log(
    `${QUICK ? "quick" : "full"} run on ${info.cores} cores, ${info.memory}; Deno ${info.deno}, ` +
      `Node ${info.node}`,
  );
  log("building dist/adasa (deno task build)");
  await buildCli();
  const peers: Peer[] = [await startAdasa(log)];
  if (values["vs-pm2"]) peers.push(await startPm2(log));
  if (values["vs-supervisord"]) peers.push(await startSupervisord(log));
  for (const p of peers) log(`${p.name} ${p.version}: daemon pid ${p.daemonPid}`);
  const ctx: ScenarioContext = { peers, quick: QUICK, runs: PLAN.runs, log };
  const rows: Row[] = [];

  log(`1. CLI round trip, ${PLAN.runs} runs each, alternating`);
  rows.push(...await ping(ctx));
  rows.push(...memory(ctx, "mem0", "5. Daemon memory, 0 processes"));
  log(`4. crash to new child, ${PLAN.runs} runs each, alternating`);
  rows.push(await crash(ctx));
  log(`3/2/5/6/8. start 100 from a file, list, memory, idle CPU, stop: ${PLAN.rounds} rounds`);
  const life = await lifecycle(ctx, PLAN.rounds, PLAN.cpuS);
  log(`3. start ${PLAN.oneByOne} one command at a time, alternating`);
  const one = await startOneByOne(ctx, PLAN.oneByOne);
  rows.push(...await batchStart(ctx, QUICK ? 2 : 3));
  const order = ["list", "startFile"];
  rows.splice(1, 0, ...life.filter((r) => order.includes(r.key)), one);
  rows.push(...life.filter((r) => !order.includes(r.key) && r.key !== "stop"));
  log(`7. capture of ${PLAN.captureMB} MB, ${PLAN.captureRuns} run(s) each`);
  rows.push(...await capture(ctx, PLAN.captureMB, PLAN.captureRuns));
  rows.push(...life.filter((r) => r.key === "stop"));
  const adasa = peers[0]!;
  const standIn = adasa.startFileIsStandIn;
  const sf = rows.find((r) => r.key === "startFile");
  if (sf && standIn) sf.title += " — adasa: STAND-IN, pipelined `start` requests on one socket";
  for (const p of [...peers].reverse()) await p.dispose();
  log(`9. adasa only: ${PLAN.hMiB} MiB of log history, ${PLAN.h} h of stats for 100 apps`);
  try {
    rows.push(...await history(ctx, { historyMiB: PLAN.hMiB, hours: PLAN.h }));
  } catch (error) {
    log(`9. failed: ${(error as Error).message}`);
  }
  log("10. adasa only: one bundled daemon with 10, 100 and 1,000 apps");
  await scale(ctx).then((r) => rows.push(...r), (e) => log(`10. failed: ${(e as Error).message}`));
  log("5. bare-Deno memory floor: an idle script, and one holding 100 piped children");
  const floors = { idle: await denoFloor(0), children: await denoFloor(100) };
  log("10. adasa only: memory under churn (start/stop, start/delete, 1,200 connections)");
  rows.push(...await churn(ctx, CLI));
  await cleanupAll();

  const scenario = (r: Row) => Number(/^(\d+)\./.exec(r.title)?.[1] ?? 99);
  rows.sort((a, b) => scenario(a) - scenario(b));
  const tools = peers.map((p) => p.name);
  const versions = peers.map((p) => `${p.name} ${p.version}`).join(", ");
  const md = table(rows, tools);
  const g = goals(rows, standIn, floors);
  const notes = [
    `Medians; latencies also give p95, max and n. Ratios are peer ÷ adasa of the medians ` +
    `(for MB/s, below 1× means adasa is faster). MB = 10^6 bytes.`,
    QUICK
      ? `Quick mode: ${PLAN.runs} runs per latency, ${PLAN.rounds} rounds of start/stop, a ` +
        `${PLAN.cpuS} s CPU window, ${PLAN.oneByOne} one-by-one starts (scaled to 100), ` +
        `${PLAN.hMiB} MiB of log history and ${PLAN.h} h of stats.`
      : `Full mode: ${PLAN.runs} runs per latency, ${PLAN.rounds} rounds of start/stop, a ` +
        `${PLAN.cpuS} s CPU window, ${PLAN.captureRuns} capture runs.`,
    "The idle CPU window measures all daemons at the same time, each with its own 100 sleeps.",
    "Adasa's log retention (100 MiB per app by default) deletes old segments during the " +
    "capture; the benchmark hard-links each segment as it appears so every line is counted.",
  ];
  console.log(`\n## Results (${QUICK ? "quick" : "full"} run, ${versions})\n\n${md}\n`);
  console.log(`Goals:\n${goalsText(g)}\n`);
  console.log(notes.map((n) => `- ${n}`).join("\n"));
  log("done");

  const write = values["no-write"] ? false : values.write || !QUICK;
  if (write) {
    const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const text = [
      "# Benchmark results",
      "",
      `Latest ${QUICK ? "QUICK" : "full"} run of \`deno task bench${
        Deno.args.length ? " " + Deno.args.join(" ") : ""
      }\`, ${date}, ${elapsed()} in all.`,
      "",
      `- Machine: ${info.cores} cores (${info.cpu}), ${info.memory} memory, Linux ${info.kernel}`,
      "- The machine is shared with other engineers running tests at the same time, so numbers " +
      "carry noise; latencies alternate the tools run by run to spread it evenly.",
      `- Deno ${info.deno}, Node ${info.node}; ${versions}`,
      "",
      md,
      "",
      "## Goals",
      "",
      goalsText(g),
      "",
      "What was tried for each goal not met, and where the rest of the time or memory goes: " +
      "[GOALS.md](GOALS.md).",
      "",
      "## How each tool was driven",
      "",
      howList(rows),
      "",
      "## Notes",
      "",
      notes.map((n) => `- ${n}`).join("\n"),
      "",
    ].join("\n");
    await Deno.writeTextFile(`${ROOT}bench/RESULTS.md`, text);
    log("wrote bench/RESULTS.md");
  }
}

try {
  await main();
} catch (error) {
  console.error(`bench: ${(error as Error).stack ?? error}`);
  await cleanupAll();
  Deno.exit(1);
} finally {
  await cleanupAll();
}
Deno.removeSignalListener("SIGINT", onSignal);
Deno.removeSignalListener("SIGTERM", onSignal);
