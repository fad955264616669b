// deno-lint-ignore-file no-console
/**
 * CLI start-up benchmark: the wall time of whole `adasa ping` processes, spawn to exit, against
 * a daemon in a temporary ADASA_HOME. Variants run alternately so drift (CPU frequency, cache,
 * other load) spreads evenly over all of them:
 *
 *   dist/adasa (shebang)     the bundle executed directly, as users run it
 *   deno run dist/adasa      the bundle through `deno run --allow-all --no-config --no-lock`
 *   deno run cli/main.ts     from source, with deno.json and npm resolution
 *   empty deno script        the floor: what any `deno run` costs on this machine
 *
 * Run: deno run --allow-all bench/ping_bench.ts [--runs N]   (N ≥ 20, default 30)
 */
import { parseArgs } from "node:util";
import { type AdasaDaemon, startAdasaDaemon } from "./peers/adasa.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const BUNDLE = `${ROOT}dist/adasa`;
/** DESIGN.md's goal for the median start-up of the bundled CLI. */
const TARGET_MS = 35;
const WARMUP_RUNS = 2;

interface Variant {
  name: string;
  command: string;
  args: string[];
  /** Expected stdout, or null for the floor, which prints nothing. */
  stdout: string | null;
  times: number[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "30" } } });
  const runs = Number(values.runs);
  if (!Number.isSafeInteger(runs) || runs < 20) {
    throw new RangeError(`--runs: expected a whole number of at least 20, got "${values.runs}"`);
  }
  await build();
  const temp = await Deno.makeTempDir({ prefix: "adasa-bench-" });
  let daemon: AdasaDaemon | null = null;
  const aborted = new AbortController();
  const onInterrupt = () => aborted.abort();
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    const home = `${temp}/home`;
    await Deno.mkdir(home);
    const empty = `${temp}/empty.ts`;
    await Deno.writeTextFile(empty, "");
    daemon = await startAdasaDaemon(home);
    const variants = makeVariants(empty);
    const env = { ADASA_HOME: home, NO_COLOR: "1" };
    for (const variant of variants) {
      for (let i = 0; i < WARMUP_RUNS; i++) await timeRun(variant, env);
    }
    for (let i = 0; i < runs; i++) {
      for (const variant of variants) {
        if (aborted.signal.aborted) throw new Error("Interrupted");
        variant.times.push(await timeRun(variant, env));
      }
    }
    report(variants, runs);
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    await daemon?.stop();
    await Deno.remove(temp, { recursive: true });
  }
}

async function build(): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "build"],
    cwd: ROOT,
    stdin: "null",
  }).output();
  if (out.code !== 0) {
    throw new Error(
      `deno task build failed (${out.code}): ${new TextDecoder().decode(out.stderr)}`,
    );
  }
}

function makeVariants(emptyScript: string): Variant[] {
  const deno = Deno.execPath();
  const noConfig = ["run", "--allow-all", "--no-config", "--no-lock"];
  return [
    { name: "dist/adasa (shebang)", command: BUNDLE, args: ["ping"], stdout: "pong\n", times: [] },
    {
      name: "deno run dist/adasa",
      command: deno,
      args: [...noConfig, BUNDLE, "ping"],
      stdout: "pong\n",
      times: [],
    },
    {
      name: "deno run cli/main.ts",
      command: deno,
      args: ["run", "-A", `${ROOT}cli/main.ts`, "ping"],
      stdout: "pong\n",
      times: [],
    },
    {
      name: "empty deno script",
      command: deno,
      args: [...noConfig, emptyScript],
      stdout: null,
      times: [],
    },
  ];
}

/** Spawns one process and returns its wall time in ms; fails on a wrong exit or output. */
async function timeRun(variant: Variant, env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const out = await new Deno.Command(variant.command, {
    args: variant.args,
    cwd: ROOT,
    env,
    stdin: "null",
  }).output();
  const elapsed = performance.now() - started;
  const stdout = new TextDecoder().decode(out.stdout);
  if (out.code !== 0 || (variant.stdout !== null && stdout !== variant.stdout)) {
    throw new Error(
      `${variant.name} exited ${out.code} with ${JSON.stringify(stdout)}: ` +
        new TextDecoder().decode(out.stderr),
    );
  }
  return elapsed;
}

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

function report(variants: Variant[], runs: number): void {
  const rows = variants.map((v) => {
    const sorted = [...v.times].sort((a, b) => a - b);
    return {
      name: v.name,
      median: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      max: sorted.at(-1)!,
    };
  });
  const width = Math.max(...rows.map((r) => r.name.length));
  const ms = (n: number) => n.toFixed(1).padStart(8);
  console.log(
    `adasa ping, whole process wall time, ${runs} runs each (ms), Deno ${Deno.version.deno}`,
  );
  console.log(
    `${"variant".padEnd(width)}  ${"median".padStart(8)}  ${"p95".padStart(8)}  ${
      "max".padStart(8)
    }`,
  );
  for (const r of rows) {
    console.log(`${r.name.padEnd(width)}  ${ms(r.median)}  ${ms(r.p95)}  ${ms(r.max)}`);
  }
  const bundled = rows[0]!;
  const floor = rows.at(-1)!;
  const verdict = bundled.median <= TARGET_MS ? "met" : "NOT met";
  console.log(
    `target: dist/adasa median ≤ ${TARGET_MS} ms: ${verdict} (${bundled.median.toFixed(1)} ms, ` +
      `${(bundled.median - floor.median).toFixed(1)} ms above the empty-script floor)`,
  );
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    console.error(`ping_bench: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
