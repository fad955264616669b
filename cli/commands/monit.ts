/**
 * `adasa monit`: a live view refreshed every tick, with a sparkline of the last minutes of CPU
 * per instance; `q` or Ctrl-C quits. When stdout is not a terminal it prints one plain table.
 */
import type { AdasaClient } from "../../src/ipc/client.ts";
import { print } from "../render/io.ts";
import { renderMonit } from "../render/monit.ts";
import { unicodeMeasure } from "../render/width.ts";
import type { CommandContext, Parsed } from "./mod.ts";
import { intFlag } from "./_shared.ts";

const HISTORY_POINTS = 30;

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const intervalMs = intFlag(parsed, "interval", 200, 3_600_000) ?? 2_000;
  await using client = await ctx.connect();
  const history = await loadHistory(client);
  // The header and the sparklines are not ASCII.
  const measure = await unicodeMeasure();
  if (!Deno.stdout.isTerminal()) {
    print(
      renderMonit(await client.request("list"), history, {
        color: false,
        width: 80,
        measure,
      }),
    );
    return 0;
  }
  let quit = false;
  const keys = watchKeys(() => (quit = true));
  try {
    while (!quit) {
      const rows = await client.request("list");
      for (const row of rows) push(history, row.id, row.group_cpu);
      const width = Deno.consoleSize().columns;
      const screen = renderMonit(rows, history, { color: ctx.color, width, measure });
      await Deno.stdout.write(new TextEncoder().encode(`\x1b[H\x1b[2J${screen}\n(q to quit)`));
      await sleepUnless(intervalMs, () => quit);
    }
  } finally {
    keys.stop();
    print("");
  }
  return 0;
}

async function loadHistory(client: AdasaClient): Promise<Map<number, number[]>> {
  const history = new Map<number, number[]>();
  const now = Date.now();
  const reply = await client.request("stats", {
    targets: ["all"],
    since: now - 5 * 60_000,
    until: now,
    max_points: HISTORY_POINTS,
  });
  for (const p of reply.points) push(history, p.instance_id, p.group_cpu);
  return history;
}

function push(history: Map<number, number[]>, id: number, value: number | null): void {
  const list = history.get(id) ?? [];
  list.push(value ?? 0);
  if (list.length > HISTORY_POINTS) list.shift();
  history.set(id, list);
}

function watchKeys(onQuit: () => void): { stop(): void } {
  Deno.stdin.setRaw(true);
  let stopped = false;
  (async () => {
    const buffer = new Uint8Array(16);
    while (!stopped) {
      const n = await Deno.stdin.read(buffer);
      if (n === null) return onQuit();
      const key = buffer[0];
      if (key === 0x71 || key === 0x51 || key === 0x03) return onQuit(); // q, Q, Ctrl-C
    }
  })();
  return {
    stop() {
      stopped = true;
      Deno.stdin.setRaw(false);
    },
  };
}

async function sleepUnless(ms: number, done: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!done() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}
