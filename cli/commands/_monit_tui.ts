/**
 * `adasa monit` on a terminal: the full-screen monitor. It owns the terminal while it runs
 * (alternate screen, hidden cursor, raw input) and gives it back on `q`, Ctrl-C, SIGINT or
 * SIGTERM. The screen itself is `renderMonitScreen` (pure); this file keeps the state: rows read
 * every interval, CPU and memory history, the selected instance's live log tail (one streaming
 * connection, replaced when the selection moves), and actions waiting for y/n. It is imported
 * only when monit runs on a terminal.
 */
import type { AdasaClient } from "../../src/ipc/client.ts";
import type { LogLine } from "../../src/protocol/ops.ts";
import {
  HISTORY_POINTS,
  type MonitAction,
  type MonitState,
  moveSelection,
  pushSample,
  recordRows,
  renderMonitScreen,
  selectedRow,
} from "../render/monit_screen.ts";
import { unicodeMeasure } from "../render/width.ts";
import type { CommandContext } from "./mod.ts";
import { recentStats } from "./monit.ts";

/** Log lines kept for the selected instance. */
const LOG_LINES = 200;

const ENTER = "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J";
const LEAVE = "\x1b[?25h\x1b[?1049l";

const ACTION_KEYS: Record<string, MonitAction> = { r: "restart", s: "stop", l: "reload" };
const DONE: Record<MonitAction, string> = {
  restart: "restarted",
  stop: "stopped",
  reload: "reloaded",
};

/** Runs the monitor until the user quits; returns the exit code. */
export async function runMonitTui(
  client: AdasaClient,
  ctx: CommandContext,
  options: { intervalMs: number },
): Promise<number> {
  const measure = await unicodeMeasure();
  const state: MonitState = {
    rows: await client.request("list"),
    selectedId: null,
    detail: null,
    cpu: new Map(),
    memory: new Map(),
    logs: [],
    confirm: null,
    message: null,
    now: Date.now(),
  };
  await loadHistory(client, state);
  const encoder = new TextEncoder();
  let last = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  let quit: () => void = () => {};
  const quitting = new Promise<void>((resolve) => {
    quit = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  let done = false;
  const draw = () => {
    if (done) return;
    const { columns, rows } = Deno.consoleSize();
    const lines = renderMonitScreen(state, {
      width: Math.max(20, columns),
      height: Math.max(5, rows),
      color: ctx.color,
      measure,
    });
    const screen = `\x1b[H${lines.join("\x1b[K\r\n")}\x1b[K\x1b[J`;
    if (screen === last) return; // an idle screen is not written again
    last = screen;
    Deno.stdout.writeSync(encoder.encode(screen));
  };
  const tail = new LogTail(ctx, (lines) => {
    state.logs = lines;
    draw();
  });
  // The selected instance's describe: its why and last exit, from its events.
  let described: number | null = null;
  const describe = async () => {
    const row = selectedRow(state);
    if (row === null) return void (state.detail = null);
    try {
      const [d] = await client.request("describe", { target: String(row.id) });
      if (selectedRow(state)?.id === row.id) state.detail = d ?? null;
    } catch {
      state.detail = null; // deleted meanwhile: the row's own fields stand in
    }
  };
  const follow = () => {
    const row = selectedRow(state);
    tail.follow(row?.id ?? null);
    if (row !== null && row.id !== described) {
      described = row.id;
      void describe().then(draw);
    }
  };
  const onResize = () => {
    last = ""; // the terminal may have cleared or reflowed: draw it all
    draw();
  };
  const signals: Array<[Deno.Signal, () => void]> = [
    ["SIGWINCH", onResize],
    ["SIGINT", () => quit()],
    ["SIGTERM", () => quit()],
    ["SIGHUP", () => quit()],
  ];
  Deno.stdin.setRaw(true);
  Deno.stdout.writeSync(encoder.encode(ENTER));
  for (const [signal, handler] of signals) Deno.addSignalListener(signal, handler);
  try {
    follow();
    draw();
    const onKey = (key: string) => {
      const answer = handleKey(state, key, client);
      if (answer === "quit") return quit();
      if (answer instanceof Promise) answer.then(draw);
      follow();
      draw();
    };
    readKeys(onKey, () => quit());
    const ticking = (async () => {
      while (!done) {
        await Promise.race([
          new Promise((resolve) => (timer = setTimeout(resolve, options.intervalMs))),
          quitting,
        ]);
        if (done) return;
        try {
          recordRows(state, await client.request("list"), Date.now());
          await describe();
        } catch (error) {
          state.message = `cannot read the instances: ${(error as Error).message}`;
        }
        follow();
        draw();
      }
    })();
    await quitting;
    done = true;
    await ticking;
  } finally {
    done = true;
    for (const [signal, handler] of signals) Deno.removeSignalListener(signal, handler);
    tail.follow(null);
    Deno.stdout.writeSync(encoder.encode(LEAVE));
    try {
      Deno.stdin.setRaw(false);
    } catch { /* the terminal is gone */ }
  }
  return 0;
}

/** Applies one key to the state; "quit", or the promise of an action under way. */
function handleKey(
  state: MonitState,
  key: string,
  client: AdasaClient,
): "quit" | Promise<void> | null {
  if (state.confirm !== null) {
    const { action, id, name } = state.confirm;
    state.confirm = null;
    if (key !== "y" && key !== "Y") {
      state.message = `${action} of ${name}#${id} cancelled`;
      return key === "\x03" ? "quit" : null;
    }
    state.message = `${action} ${name}#${id}…`;
    return client.request(action, { targets: [String(id)] }).then(
      () => void (state.message = `${DONE[action]} ${name}#${id}`),
      (error: Error) => void (state.message = `${action} ${name}#${id} failed: ${error.message}`),
    );
  }
  if (key === "q" || key === "Q" || key === "\x03") return "quit";
  state.message = null;
  if (key === "j" || key === "\x1b[B") state.selectedId = moveSelection(state, 1);
  else if (key === "k" || key === "\x1b[A") state.selectedId = moveSelection(state, -1);
  else if (key === "g" || key === "\x1b[H") state.selectedId = moveSelection(state, -Infinity);
  else if (key === "G" || key === "\x1b[F") state.selectedId = moveSelection(state, Infinity);
  else if (key in ACTION_KEYS) {
    const row = selectedRow(state);
    if (row !== null) {
      state.confirm = { action: ACTION_KEYS[key] as MonitAction, id: row.id, name: row.name };
    }
  }
  return null;
}

/** Reads raw input and splits it into keys: one character, or one escape sequence. */
function readKeys(onKey: (key: string) => void, onEnd: () => void): void {
  (async () => {
    const buffer = new Uint8Array(64);
    const decoder = new TextDecoder();
    while (true) {
      let n: number | null;
      try {
        n = await Deno.stdin.read(buffer);
      } catch {
        n = null;
      }
      if (n === null) return onEnd();
      const text = decoder.decode(buffer.subarray(0, n));
      // deno-lint-ignore no-control-regex
      for (const key of text.match(/\x1b\[[0-9;]*[A-Za-z~]|\x1bO[A-Za-z]|[^]/gu) ?? []) {
        onKey(key.startsWith("\x1bO") ? `\x1b[${key.slice(2)}` : key);
      }
    }
  })();
}

/** The live tail of one instance's logs, on a connection of its own. */
class LogTail {
  #id: number | null = null;
  #client: AdasaClient | null = null;
  readonly #ctx: CommandContext;
  readonly #onLines: (lines: LogLine[]) => void;

  constructor(ctx: CommandContext, onLines: (lines: LogLine[]) => void) {
    this.#ctx = ctx;
    this.#onLines = onLines;
  }

  /** Follows instance `id` (nothing when null), dropping the previous one's tail. */
  follow(id: number | null): void {
    if (id === this.#id) return;
    this.#id = id;
    this.#client?.close();
    this.#client = null;
    this.#onLines([]);
    if (id === null) return;
    void this.#run(id);
  }

  async #run(id: number): Promise<void> {
    const lines: LogLine[] = [];
    let client: AdasaClient;
    try {
      client = await this.#ctx.connect();
    } catch {
      return;
    }
    if (this.#id !== id) return client.close();
    this.#client = client;
    try {
      const args = { targets: [String(id)], lines: 50, follow: true };
      for await (const frame of client.stream("logs", args)) {
        if (this.#id !== id) break;
        lines.push(...frame.data);
        if (lines.length > LOG_LINES) lines.splice(0, lines.length - LOG_LINES);
        this.#onLines([...lines]);
      }
    } catch {
      // closed: the selection moved on, or monit quits
    } finally {
      client.close();
    }
  }
}

/** The last 5 minutes from the database, a bucket's highest sample each, so no peak is lost. */
async function loadHistory(client: AdasaClient, state: MonitState): Promise<void> {
  for (const p of await recentStats(client, HISTORY_POINTS)) {
    pushSample(state.cpu, p.instance_id, p.group_cpu_max ?? p.group_cpu);
    pushSample(state.memory, p.instance_id, p.group_memory_max);
  }
}
