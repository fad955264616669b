/** Shared bits of the benchmarks: statistics, a temp daemon, and a results table. */

export const ROOT = new URL("../", import.meta.url).pathname;

export interface Stats {
  median: number;
  p95: number;
  max: number;
  n: number;
}

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  // Nearest rank: the smallest sample with at least q of all samples at or below it.
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  const mid = (sorted.length - 1) / 2;
  const median = (sorted[Math.floor(mid)]! + sorted[Math.ceil(mid)]!) / 2;
  return { median, p95: at(0.95), max: sorted.at(-1)!, n: sorted.length };
}

export function fmtMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`;
}

/** Direct children of a process, from /proc (cheap enough to poll every few hundred µs). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: Deno.DirEntry[];
  try {
    tasks = [...Deno.readDirSync(`/proc/${pid}/task`)];
  } catch {
    return out; // gone
  }
  for (const task of tasks) {
    try {
      const text = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/children`).trim();
      if (text) out.push(...text.split(" ").map(Number));
    } catch {
      // thread ended
    }
  }
  return out;
}

/** Runs a whole command and returns its wall time in ms. */
export async function timeCommand(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<number> {
  const started = performance.now();
  const out = await new Deno.Command(cmd, { args, env, stdout: "null", stderr: "piped" }).output();
  const ms = performance.now() - started;
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return ms;
}

export function printTable(title: string, rows: Array<[string, string, string]>): void {
  const w0 = Math.max(...rows.map((r) => r[0].length), 8);
  const w1 = Math.max(...rows.map((r) => r[1].length), 6);
  // deno-lint-ignore no-console
  console.log(
    `\n${title}\n${
      rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`).join("\n")
    }`,
  );
}

// ---------------------------------------------------------------------------------------------
// Scenario helpers: /proc readings, cleanup of everything started, and whole-command timing.

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Memory of a process in bytes: RSS (as `ps` shows it), PSS and anonymous memory. */
export interface MemoryFigures {
  rss: number;
  pss: number;
  anon: number;
}

/** RSS, PSS and anonymous memory (/proc/PID/smaps_rollup) of a process (0 when it is gone). */
export function memoryOf(pid: number): MemoryFigures {
  let rss = 0;
  let pss = 0;
  let anon = 0;
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    rss = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) * 1024;
    const rollup = Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`);
    pss = Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) * 1024;
    anon = Number(/^Anonymous:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) * 1024;
  } catch {
    // gone, or smaps_rollup not readable
  }
  return { rss, pss, anon };
}

/** Fields of /proc/<pid>/stat after the command name (field 3 is index 0). */
function statFields(pid: number): string[] | null {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** utime + stime of a process in clock ticks (100 per second), or null when it is gone. */
export function cpuTicksOf(pid: number): number | null {
  const f = statFields(pid);
  return f ? Number(f[11]) + Number(f[12]) : null;
}

/** Start time of a process in clock ticks since boot: with the pid, it names one process. */
export function startTimeOf(pid: number): number | null {
  const f = statFields(pid);
  return f ? Number(f[19]) : null;
}

/** Whether a process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const f = statFields(pid);
  return f !== null && f[0] !== "Z" && f[0] !== "X";
}

/** A process remembered by pid and start time, so a reused pid is never signalled. */
export interface Tracked {
  pid: number;
  start: number;
}

export function track(pid: number): Tracked | null {
  const start = startTimeOf(pid);
  return start === null ? null : { pid, start };
}

/** Sends a signal to a tracked process (and its group when it leads one) if it is still it. */
export function killTracked(
  t: Tracked,
  signal: Deno.Signal = "SIGKILL",
  options: { group?: boolean } = {},
): void {
  if (startTimeOf(t.pid) !== t.start) return;
  if (options.group) {
    try {
      Deno.kill(-t.pid, signal);
    } catch {
      // not a group leader
    }
  }
  try {
    Deno.kill(t.pid, signal);
  } catch {
    // exited meanwhile
  }
}

/** Waits until none of the processes is alive, up to `ms`; returns whether they all ended. */
export async function waitGone(pids: number[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Everything a run started registers its undo here; main runs them on exit or interrupt. */
const cleanups: Array<() => Promise<void>> = [];

export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

/** Runs every registered cleanup, newest first, once. */
export async function cleanupAll(): Promise<void> {
  while (cleanups.length) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (error) {
      // deno-lint-ignore no-console
      console.error(`cleanup: ${(error as Error).message}`);
    }
  }
}

export interface RunResult {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a whole command, returning its wall time and output; throws on an unexpected code. */
export async function run(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; okCodes?: number[] } = {},
): Promise<RunResult> {
  const started = performance.now();
  const out = await new Deno.Command(cmd, {
    args,
    env: options.env ?? {},
    clearEnv: true,
    stdin: "null",
    ...(options.cwd ? { cwd: options.cwd } : {}),
  }).output();
  const ms = performance.now() - started;
  const decoder = new TextDecoder();
  const result = {
    ms,
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
  if (!(options.okCodes ?? [0]).includes(out.code)) {
    throw new Error(
      `${cmd} ${args.join(" ")} exited ${out.code}: ${(result.stderr || result.stdout).trim()}`,
    );
  }
  return result;
}

/**
 * The environment every tool gets: a PATH, a HOME of its own and Deno's cache (so `deno run`
 * finds what is already downloaded), nothing else of this shell's.
 */
export function baseEnv(home: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: home,
    LANG: "C",
    DENO_DIR: Deno.env.get("DENO_DIR") ??
      `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "/root"}/.cache`}/deno`,
  };
  for (const key of ["DENO_CERT", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "DENO_TLS_CA_STORE"]) {
    const value = Deno.env.get(key);
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/** The lines of plain text files, in order, without their newlines. */
export async function* rawLines(files: string[]): AsyncGenerator<Uint8Array> {
  for (const file of files) {
    const bytes = await Deno.readFile(file);
    let start = 0;
    while (start < bytes.length) {
      const nl = bytes.indexOf(0x0a, start);
      const end = nl < 0 ? bytes.length : nl;
      yield bytes.subarray(start, end);
      start = end + 1;
    }
  }
}
