// deno-lint-ignore-file no-sync-fn-in-async-fn -- tests read /proc and marker files synchronously
/**
 * `adasa run` as pm2-runtime runs in a container: as PID 1 of a new PID namespace
 * (`unshare --pid --fork --mount-proc`, root here), apps' output prefixed on stdout/stderr,
 * SIGTERM stops every app gracefully and exits 0, orphaned zombies are reaped, and a run
 * whose apps all give up exits non-zero.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { waitFor } from "../_helpers/wait.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const DENO_DIR = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
const CLI = [
  Deno.execPath(),
  "run",
  "--allow-all",
  "--config",
  `${ROOT}deno.json`,
  `${ROOT}cli/main.ts`,
];

/** A running `adasa run`, its output collected as it comes. */
class Run implements AsyncDisposable {
  out = "";
  err = "";
  readonly child: Deno.ChildProcess;
  readonly #done: Promise<unknown>;
  #inner: number | null = null;

  constructor(
    args: string[],
    options: { namespace: boolean; cwd: string; env?: Record<string, string> },
  ) {
    const argv = options.namespace
      ? ["unshare", "--pid", "--fork", "--mount-proc", ...CLI, "run", ...args]
      : [...CLI, "run", ...args];
    this.child = new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      cwd: options.cwd,
      clearEnv: true,
      env: {
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        HOME: options.cwd,
        DENO_DIR,
        NO_COLOR: "1",
        ...options.env,
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const collect = async (stream: ReadableStream<Uint8Array>, to: "out" | "err") => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) this[to] += chunk;
    };
    this.#done = Promise.all([
      collect(this.child.stdout, "out"),
      collect(this.child.stderr, "err"),
    ]);
  }

  /** The pid of `adasa run` itself (PID 1 inside the namespace): unshare's child. */
  async innerPid(): Promise<number> {
    this.#inner = await waitFor(() => childrenOf(this.child.pid)[0] ?? 0, (pid) => pid > 0, {
      what: "the child of unshare",
    });
    return this.#inner;
  }

  async status(): Promise<Deno.CommandStatus> {
    const status = await this.child.status;
    await this.#done;
    return status;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    // PID 1 first: its end takes down the whole namespace, then unshare exits.
    for (const pid of [this.#inner, this.child.pid]) {
      try {
        if (pid !== null) Deno.kill(pid, "SIGKILL");
      } catch { /* exited */ }
    }
    await this.status();
  }
}

function stat(pid: number): { state: string; ppid: number } | null {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0]!, ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

function childrenOf(parent: number, state?: string): number[] {
  return [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).map((e) =>
    Number(e.name)
  )
    .filter((pid) => {
      const s = stat(pid);
      return s !== null && s.ppid === parent && (state === undefined || s.state === state);
    });
}

Deno.test("adasa run as PID 1: prefixed output, SIGTERM stops the apps gracefully and exits 0", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "adasa-run-test-" });
  try {
    const marker = `${dir}/stopped-gracefully`;
    const config = `${dir}/ecosystem.config.js`;
    Deno.writeTextFileSync(
      config,
      `module.exports = { apps: [
        { name: "ticker", script: "${ROOT}tests/pm2_compat/apps/worker.js" },
        { name: "trapper", script: "${dir}/trap.sh" },
      ] };\n`,
    );
    Deno.writeTextFileSync(
      `${dir}/trap.sh`,
      `#!/bin/sh\ntrap 'echo bye > ${marker}; exit 0' TERM INT\nwhile :; do sleep 0.05; done\n`,
    );
    Deno.chmodSync(`${dir}/trap.sh`, 0o755);
    await using run = new Run([config], { namespace: true, cwd: dir });
    const inner = await run.innerPid();
    await waitFor(() => run.out, (t) => /^ticker#\d+ \| tick 2$/m.test(t), {
      what: "ticker's stdout",
      timeoutMs: 20_000,
    });
    await waitFor(() => run.err, (t) => /^ticker#\d+ \| warn 2$/m.test(t), {
      what: "ticker's stderr",
    });
    assert(!/^ticker#\d+ \| warn/m.test(run.out), "stderr lines stay on stderr");
    Deno.kill(inner, "SIGTERM");
    const status = await run.status();
    assertEquals(status.code, 0, run.err);
    assertMatch(run.err, /adasa run: SIGTERM: stopping every app/);
    assertEquals(Deno.readTextFileSync(marker), "bye\n");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("adasa run as PID 1 reaps the apps' orphaned children", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "adasa-run-test-" });
  try {
    const count = `${dir}/orphans`;
    // Each ( sleep & ) leaves an orphan that is re-parented to PID 1 and exits there.
    const script = `while :; do (sleep 0.01 &); echo x >> ${count}; sleep 0.05; done`;
    await using run = new Run(["--name", "orphans", "--shell", script], {
      namespace: true,
      cwd: dir,
    });
    const inner = await run.innerPid();
    await waitFor(
      () => {
        try {
          return Deno.readTextFileSync(count).length / 2;
        } catch {
          return 0;
        }
      },
      (n) => n >= 40,
      { what: "40 orphans made", timeoutMs: 30_000 },
    );
    await waitFor(() => childrenOf(inner, "Z").length, (n) => n <= 2, {
      what: "at most 2 zombies of PID 1",
    });
    Deno.kill(inner, "SIGTERM");
    assertEquals((await run.status()).code, 0, run.err);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("adasa run exits 1 when every app has given up, in ADASA_HOME when it is set", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "adasa-run-test-" });
  try {
    await using run = new Run(["--name", "bad", "--max-restarts", "2", "--shell", "exit 3"], {
      namespace: false,
      cwd: dir,
      env: { ADASA_HOME: `${dir}/home` },
    });
    const status = await run.status();
    assertEquals(status.code, 1, run.out + run.err);
    assertMatch(run.out, /adasa run: bad#\d+ errored/);
    assertMatch(run.err, /every app has given up/);
    assert(Deno.statSync(`${dir}/home/adasa.db`).isFile);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
