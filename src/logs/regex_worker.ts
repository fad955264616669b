/**
 * A user's regular expression, run in a child process with a time budget per batch (#16.9).
 * JavaScript regexes backtrack, so `(a+)+$` on 25 `a`s takes seconds and doubles per
 * character: on the daemon's thread it froze every client. A Worker is not enough, because
 * terminating one does not stop a regex that is running (measured: the thread kept its core).
 * A child process can always be killed, and runs with no permissions at all. V8's linear-time
 * engine takes over a regex that backtracks too much, so most such patterns simply work; one
 * it cannot take (backreferences) ends the read with a clear error when its budget is spent.
 */
import { AdasaError } from "../protocol/mod.ts";
import type { LineTest } from "./grep.ts";

/** Time one batch (one read buffer: 64 KiB of lines, more only for one bigger record) may take. */
export const REGEX_BUDGET_MS = 1000;
/** Time the child may take to start (Deno's start-up, on a loaded machine). */
const START_BUDGET_MS = 15_000;

/** Reads a JSON line per batch `{ t: texts }`, answers a line of "0"/"1"s. */
const CHILD_SOURCE = `
const decoder = new TextDecoder();
const encoder = new TextEncoder();
let re = null;
let buffered = "";
await Deno.stdout.write(encoder.encode("ready\\n"));
for await (const chunk of Deno.stdin.readable) {
  buffered += decoder.decode(chunk, { stream: true });
  for (let nl = buffered.indexOf("\\n"); nl >= 0; nl = buffered.indexOf("\\n")) {
    const message = JSON.parse(buffered.slice(0, nl));
    buffered = buffered.slice(nl + 1);
    if (message.p !== undefined) {
      re = new RegExp(message.p, message.f);
      continue;
    }
    let out = "";
    for (const text of message.t) {
      re.lastIndex = 0;
      out += re.test(text) ? "1" : "0";
    }
    await Deno.stdout.write(encoder.encode(out + "\\n"));
  }
}
`;
const CHILD_URL = `data:application/javascript;base64,${btoa(CHILD_SOURCE)}`;

/** Options of `RegexLineTest`. */
export interface RegexOptions {
  ignoreCase?: boolean;
  budgetMs?: number;
}

/** A regex test in a child process. Dispose it (`await using`) to end the child. */
export class RegexLineTest implements AsyncDisposable {
  readonly test: LineTest;
  readonly #source: string;
  readonly #budgetMs: number;
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncGenerator<string>;
  #queue: Promise<unknown>;
  #failed: Error | null = null;
  #closed = false;

  /** @throws {AdasaError} INVALID_ARGUMENT when the pattern does not compile */
  constructor(pattern: string, options: RegexOptions = {}) {
    const flags = options.ignoreCase ? "i" : "";
    try {
      new RegExp(pattern, flags); // compiling is linear in the pattern; matching is the risk
    } catch (error) {
      throw new AdasaError("INVALID_ARGUMENT", `--grep: ${(error as Error).message}`);
    }
    this.#source = pattern;
    this.#budgetMs = options.budgetMs ?? REGEX_BUDGET_MS;
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-config",
        "--no-lock",
        "--no-prompt",
        "--v8-flags=--enable-experimental-regexp-engine-on-excessive-backtracks",
        CHILD_URL,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#lines = readLines(this.#child.stdout);
    this.test = (texts) => this.#enqueue(texts);
    this.#queue = this.#expect(START_BUDGET_MS, "start").then(() =>
      this.#send({ p: pattern, f: flags })
    );
    this.#queue.catch(() => {}); // reported by the first batch
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already gone
    }
    // The worker was killed just above: its pipes may already be broken, which is the point.
    await this.#writer.close().catch(() => {});
    await this.#lines.return(undefined).catch(() => {});
    await this.#child.status;
  }

  /** One batch at a time, so each budget counts only its own batch. */
  #enqueue(texts: readonly string[]): Promise<boolean[]> {
    const run = this.#queue.then(() => this.#run(texts));
    this.#queue = run.catch(() => {}); // the failure is this batch's; the next one still runs
    return run;
  }

  async #run(texts: readonly string[]): Promise<boolean[]> {
    if (this.#failed) throw this.#failed;
    if (texts.length === 0) return [];
    await this.#send({ t: texts });
    const answer = await this.#expect(this.#budgetMs, `${texts.length} line(s)`);
    return Array.from(answer, (c) => c === "1");
  }

  async #send(message: unknown): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(message) + "\n"));
  }

  /** The child's next line within `ms`, else the child is killed and the test fails. */
  async #expect(ms: number, what: string): Promise<string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), ms)));
    try {
      const next = await Promise.race([this.#lines.next(), late]);
      if (next === "late") {
        throw this.#fail(
          `--grep: the regular expression /${this.#source}/ took over ${ms} ms on ${what}; ` +
            "it backtracks too much, simplify it",
        );
      }
      if (next.done) throw this.#fail(`--grep: the regular expression /${this.#source}/ failed`);
      return next.value;
    } catch (error) {
      if (error instanceof AdasaError) throw error;
      throw this.#fail(`--grep: the regular expression /${this.#source}/ failed: ${error}`);
    } finally {
      clearTimeout(timer);
    }
  }

  #fail(message: string): AdasaError {
    const error = new AdasaError("INVALID_ARGUMENT", message);
    this.#failed = error;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already gone
    }
    return error;
  }
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  const reader = stream.getReader();
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      buffered += decoder.decode(r.value, { stream: true });
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        yield buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
      }
    }
  } finally {
    await reader.cancel().catch(() => {}); // the worker's stdout is already closed
    reader.releaseLock();
  }
}
