/**
 * Evaluates a pm2 ecosystem file (`module.exports = { apps }` in .js/.cjs, ESM `export default`
 * or `export const apps` in .mjs or in a .js of a `"type": "module"` package) in a confined
 * Deno subprocess, so user code never runs in the calling process.
 *
 * What the file can do, as under pm2: read files (its own folder, `.env` files, packages in
 * `node_modules` beside or above it, which it may import), read `process.env` (the environment
 * `adasa` runs in, never the daemon's), call `process.cwd()` (the folder `adasa` runs in),
 * `os.cpus()` and the like, and print (what it prints is discarded).
 * What it cannot: write files, spawn programs, load native code, use the network, import remote
 * modules or npm packages that are not installed beside it (`--no-remote`, `--cached-only`,
 * node_modules only), require() an ES module (use import), read the `hidden` folders (the
 * daemon's home, with its database and web token) or another process's /proc entry (in
 * namespaces where the system allows them, see _sandbox.ts; by Deno's `--deny-read`
 * elsewhere), run longer than the time limit (then it is killed with SIGKILL), grow its heap
 * past 512 MiB, or make the caller hold more than about `RESULT_LIMIT_BYTES` of its output:
 * stdout is read through a bounded window and stderr's last 4 KiB only. At most
 * `EVALUATIONS_AT_ONCE` files are evaluated at once; the time limit counts from a file's turn.
 */
import { type LoaderHeader, PM2_LOADER_SOURCE, RESULT_MARKER } from "./_pm2_loader.ts";
import { COVER_FAILED, sandboxed } from "./_sandbox.ts";
import type { ParseResult } from "./json_toml.ts";

/** Default limit for evaluating an ecosystem file. */
export const ECOSYSTEM_TIMEOUT_MS = 10_000;

/** The largest exported value accepted, as JSON. */
export const RESULT_LIMIT_BYTES = 8 * 1024 * 1024;

const STDERR_TAIL_BYTES = 4096;

/** Deno colours its own error messages. */
const ANSI_COLOR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/** How to evaluate: the environment and cwd the file sees, what it must not see, how long. */
export interface EvaluateOptions {
  env: Record<string, string>;
  cwd: string;
  hidden?: string[];
  timeoutMs?: number;
  /** false: Deno's permissions only, as where namespaces are not available (for tests). */
  namespaces?: boolean;
}

/** Runs the ecosystem file at the absolute path `file` and returns what it exports. */
export async function evaluateEcosystem(
  file: string,
  options: EvaluateOptions,
): Promise<ParseResult> {
  await slots.acquire();
  try {
    return await evaluate(file, options);
  } finally {
    slots.release();
  }
}

/** At most `EVALUATIONS_AT_ONCE` evaluators run; more requests wait their turn, in order. */
class Slots {
  #free: number;
  #waiting: Array<() => void> = [];
  constructor(count: number) {
    this.#free = count;
  }
  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next) next(); // the slot passes straight to the next caller
    else this.#free++;
  }
}

/** Evaluators at once: each may hold a 512 MiB heap, so a burst of starts cannot take the host. */
export const EVALUATIONS_AT_ONCE = 4;

const slots = new Slots(EVALUATIONS_AT_ONCE);

async function evaluate(file: string, options: EvaluateOptions): Promise<ParseResult> {
  const timeoutMs = options.timeoutMs ?? ECOSYSTEM_TIMEOUT_MS;
  const hidden = options.hidden ?? [];
  const deno = [Deno.execPath(), ...denoArgs(hidden), file, String(RESULT_LIMIT_BYTES)];
  const walled = options.namespaces === false ? null : await sandboxed(deno, hidden);
  const [program, ...args] = walled ?? deno;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program!, {
      args,
      cwd: options.cwd,
      env: options.env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? `cwd ${options.cwd} not found` : error;
    return { ok: false, message: `cannot evaluate the file: ${String(why)}` };
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL"); // SIGTERM could be caught by the file; the namespace dies with it
  }, timeoutMs);
  const [out, err, status] = await Promise.all([
    readTail(child.stdout, RESULT_LIMIT_BYTES + 64 * 1024),
    readTail(child.stderr, STDERR_TAIL_BYTES),
    child.status,
  ]);
  clearTimeout(timer);
  if (timedOut) {
    return { ok: false, message: `evaluating the file took longer than ${timeoutMs} ms` };
  }
  if (status.code === COVER_FAILED && out.length === 0) {
    return { ok: false, message: "cannot hide the daemon's home from the file" };
  }
  return readLoaderOutput(out, err);
}

/** Deno flags of the evaluator: read and env only, no remote code, a bounded heap. */
function denoArgs(hidden: string[]): string[] {
  const loader = `data:application/javascript;base64,${btoa(PM2_LOADER_SOURCE)}`;
  return [
    "run",
    "--no-config",
    "--no-lock",
    "--no-prompt",
    "--no-remote",
    "--cached-only",
    "--node-modules-dir=manual",
    "--v8-flags=--max-old-space-size=512",
    "--allow-read",
    `--deny-read=${["/proc", ...hidden].join(",")}`,
    "--allow-env",
    "--allow-sys",
    loader,
  ];
}

/** The last `max` bytes of a stream (all of it when shorter), reading it to its end. */
async function readTail(stream: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let kept = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    kept += chunk.length;
    while (kept - chunks[0]!.length >= max) kept -= chunks.shift()!.length;
  }
  const all = new Uint8Array(kept);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return kept > max ? all.subarray(kept - max) : all;
}

function readLoaderOutput(stdout: Uint8Array, stderr: Uint8Array): ParseResult {
  const text = new TextDecoder().decode(stdout);
  const at = text.lastIndexOf(RESULT_MARKER);
  const eol = at < 0 ? -1 : text.indexOf("\n", at + RESULT_MARKER.length);
  if (eol < 0) {
    const why = new TextDecoder().decode(stderr).replace(ANSI_COLOR, "").trim()
      .split("\n").at(-1) ?? "";
    return { ok: false, message: `evaluating the file failed: ${why || "no result"}` };
  }
  const header = JSON.parse(text.slice(at + RESULT_MARKER.length, eol)) as LoaderHeader;
  if (!header.ok) {
    const place = header.at ? { at: header.at } : {};
    return { ok: false, message: `evaluating the file failed: ${header.error}`, ...place };
  }
  return { ok: true, data: JSON.parse(text.slice(eol + 1)) };
}
