/** Shared bits of the benchmarks: statistics, a temp daemon, and a results table. */
import { AdasaClient } from "../src/ipc/client.ts";

export const ROOT = new URL("../", import.meta.url).pathname;

export interface Stats {
  median: number;
  p95: number;
  max: number;
  n: number;
}

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
  return { median: at(0.5), p95: at(0.95), max: sorted.at(-1)!, n: sorted.length };
}

export function fmtMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`;
}

/** A daemon in a temp home, from source; dispose stops it and removes the home. */
export async function benchDaemon(): Promise<
  AsyncDisposable & { home: string; pid: number; connect(): Promise<AdasaClient> }
> {
  const home = await Deno.makeTempDir({ prefix: "adasa-bench-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--config", `${ROOT}deno.json`, `${ROOT}main.ts`, "--background"],
    env: { ADASA_HOME: home },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const deadline = Date.now() + 15_000;
  while (true) {
    try {
      const c = await AdasaClient.connect({ home });
      await c.request("ping");
      c.close();
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return {
    home,
    pid: child.pid,
    connect: () => AdasaClient.connect({ home }),
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
      await Deno.remove(home, { recursive: true });
    },
  };
}

/** Direct children of a process, from /proc (cheap enough to poll every few hundred µs). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
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
