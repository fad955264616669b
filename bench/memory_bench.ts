// deno-lint-ignore-file no-console -- a benchmark prints its numbers
/**
 * The daemon's memory (#17): RSS, PSS and anonymous memory (/proc/PID/smaps_rollup) of the
 * bundled daemon idle and with N `sleep` apps, beside the goals and a bare-Deno floor measured
 * in the same run (an idle script, and one holding N children with piped output).
 *
 *   deno run -A bench/memory_bench.ts [--apps 100] [--runs 3] [--baseline main] [--no-build]
 *
 * The daemon is started as users get it: the built CLI (dist/adasa) auto-starts the bundle
 * beside it, with its launch flags. --baseline REF also builds REF's tree (git archive into a
 * temporary folder) and measures its daemon in the same run, run by run alternating.
 * Every process started here is stopped by pid at the end, also on Ctrl-C.
 */
import { parseArgs } from "node:util";
import {
  baseEnv,
  childrenOf,
  cleanupAll,
  type MemoryFigures,
  onCleanup,
  ROOT,
  run,
  sleep,
  stats,
} from "./_util.ts";
import { denoFloor, settledMemory } from "./scenarios/deno_floor.ts";
import { startDaemonThroughCli } from "./peers/adasa.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    apps: { type: "string", default: "100" },
    runs: { type: "string", default: "3" },
    baseline: { type: "string" },
    "no-build": { type: "boolean", default: false },
  },
});
const APPS = Number(values.apps);
const RUNS = Number(values.runs);
if (!Number.isInteger(APPS) || APPS < 1 || !Number.isInteger(RUNS) || RUNS < 1) {
  console.error("memory_bench: --apps and --runs take positive integers");
  Deno.exit(2);
}
/** Goals of #17, in MB (10^6 bytes) as `ps` shows RSS. */
const GOAL_IDLE_MB = 45;
const GOAL_APPS_MB = 50;
/** How long a process is left alone before it is measured (V8 settles, timers run once). */
const SETTLE_MS = 3_000;

type Memory = MemoryFigures;
const floor = denoFloor;
const settled = (pid: number) => settledMemory(pid, SETTLE_MS);

/**
 * One daemon, auto-started by `cli` on a fresh home: memory idle and with APPS apps. With
 * `warmOnly`, it is stopped at once: the first run of a new bundle compiles it eagerly for
 * Deno's code cache and stays about 15 MB larger, which no later start sees.
 */
async function daemonMemory(
  cli: string,
  warmOnly = false,
): Promise<{ idle: Memory; apps: Memory } | null> {
  const { tmp, pid, adasa, stop } = await startDaemonThroughCli(cli, "adasa-mem-");
  if (warmOnly) {
    await stop();
    return null;
  }
  const idle = await settled(pid);
  const apps = Array.from({ length: APPS }, (_, i) => ({
    name: `s${i}`,
    command: "sleep",
    args: ["3600"],
    cwd: "/tmp",
  }));
  await Deno.writeTextFile(`${tmp}/apps.json`, JSON.stringify({ apps }));
  await adasa(["start", `${tmp}/apps.json`]);
  const deadline = Date.now() + 30_000;
  while (childrenOf(pid).length < APPS) {
    if (Date.now() > deadline) throw new Error(`${childrenOf(pid).length} of ${APPS} apps alive`);
    await sleep(50);
  }
  const withApps = await settled(pid);
  await stop();
  return { idle, apps: withApps };
}

/** Builds `ref`'s tree into a temporary folder; returns its dist/adasa. */
async function buildRef(ref: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "adasa-ref-" });
  onCleanup(() => Deno.remove(dir, { recursive: true }).catch(() => {}));
  const archive = await new Deno.Command("git", {
    args: ["archive", "--format=tar", ref],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!archive.success) {
    throw new Error(`git archive ${ref}: ${new TextDecoder().decode(archive.stderr).trim()}`);
  }
  const tar = new Deno.Command("tar", { args: ["-x", "-C", dir], stdin: "piped" }).spawn();
  const w = tar.stdin.getWriter();
  await w.write(archive.stdout);
  await w.close();
  if (!(await tar.status).success) throw new Error(`tar -x of ${ref} failed`);
  await build(dir);
  return `${dir}/dist/adasa`;
}

async function build(dir: string): Promise<void> {
  await run(Deno.execPath(), ["task", "build"], { cwd: dir, env: baseEnv(Deno.env.get("HOME")!) });
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

function row(label: string, samples: Memory[], goal?: number): string {
  const med = (k: keyof Memory) => stats(samples.map((s) => s[k])).median;
  const rss = med("rss");
  const verdict = goal === undefined
    ? ""
    : `  goal ≤ ${goal} MB: ${rss / 1e6 <= goal ? "met" : "missed"}`;
  return `  ${label.padEnd(34)} ${mb(rss).padStart(6)} ${mb(med("pss")).padStart(6)} ${
    mb(med("anon")).padStart(6)
  }${verdict}`;
}

async function main(): Promise<void> {
  const variants: Array<{ name: string; cli: string }> = [];
  if (!values["no-build"]) await build(ROOT);
  variants.push({ name: "this tree", cli: `${ROOT}dist/adasa` });
  if (values.baseline) {
    console.log(`building ${values.baseline} for the baseline`);
    variants.unshift({ name: values.baseline, cli: await buildRef(values.baseline) });
  }
  const floors = { idle: [] as Memory[], kids: [] as Memory[] };
  const results = new Map(
    variants.map((v) => [v.name, { idle: [] as Memory[], apps: [] as Memory[] }]),
  );
  for (const v of variants) await daemonMemory(v.cli, true);
  for (let r = 0; r < RUNS; r++) {
    console.log(`run ${r + 1} of ${RUNS}`);
    floors.idle.push(await floor(0));
    floors.kids.push(await floor(APPS));
    for (const v of r % 2 ? [...variants].reverse() : variants) {
      const m = (await daemonMemory(v.cli))!;
      results.get(v.name)!.idle.push(m.idle);
      results.get(v.name)!.apps.push(m.apps);
    }
  }
  console.log(
    `\nDaemon memory, MB (10^6 bytes), median of ${RUNS} run(s), ${APPS} apps, Deno ${Deno.version.deno}`,
  );
  console.log(`  ${"".padEnd(34)} ${"RSS".padStart(6)} ${"PSS".padStart(6)} ${"anon".padStart(6)}`);
  console.log(row("bare Deno script (floor)", floors.idle));
  console.log(row(`bare Deno holding ${APPS} piped children`, floors.kids));
  for (const v of variants) {
    const res = results.get(v.name)!;
    console.log(row(`adasa (${v.name}), idle`, res.idle, GOAL_IDLE_MB));
    console.log(row(`adasa (${v.name}), ${APPS} apps`, res.apps, GOAL_APPS_MB));
  }
}

try {
  await main();
} finally {
  await cleanupAll();
}
