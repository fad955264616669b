/** The full-screen monit as a pure function: known state in, the exact screen lines out. */
import { ok, strictEqual } from "node:assert/strict";
import {
  fitWidth,
  HISTORY_POINTS,
  type MonitState,
  moveSelection,
  recordRows,
  renderMonitScreen,
} from "../../cli/render/monit_screen.ts";
import { renderMonit } from "../../cli/render/monit.ts";
import { sharedScale } from "../../cli/render/sparkline.ts";
import { asciiMeasure } from "../../cli/render/width.ts";
import { displayWidth } from "../../cli/render/unicode_width.ts";
import type { EventRecord, InstanceInfo } from "../../src/protocol/messages.ts";
import { eventRecord } from "../_helpers/events.ts";
import type { Description, LogLine } from "../../src/protocol/ops.ts";

const T0 = new Date(2026, 10, 27, 3, 0, 0).getTime();

function info(id: number, name: string, fields: Partial<InstanceInfo> = {}): InstanceInfo {
  return {
    id,
    name,
    instance: 0,
    pid: 1000 + id,
    status: "online",
    desired: "up",
    restarts: 0,
    unstable_restarts: 0,
    started_at: T0 - 60_000,
    uptime_ms: 60_000,
    exit_code: null,
    exit_signal: null,
    exited_at: null,
    reason: null,
    ready: "ready",
    health: null,
    health_failures: 0,
    last_probe: null,
    cpu: 0.1,
    memory: 2 ** 20,
    group_cpu: 0.1,
    group_memory: 2 ** 20,
    ...fields,
  };
}

function line(text: string, stream: "out" | "err" = "out"): LogLine {
  return { time: T0, app: "api", instance_id: 1, stream, text, partial: false };
}

function state(fields: Partial<MonitState> = {}): MonitState {
  return {
    rows: [
      info(1, "api", { group_cpu: 50, group_memory: 64 * 2 ** 20 }),
      info(2, "idle", {
        restarts: 3,
        unstable_restarts: 1,
        exit_code: 1,
        exited_at: T0 - 120_000,
        reason: "exited with code 1; restarting",
      }),
    ],
    selectedId: null,
    detail: null,
    cpu: new Map([[1, [0, 25, 50, 50]], [2, [0.1, 0.1, 0.1, 0.1]]]),
    memory: new Map([[1, [32 * 2 ** 20, 64 * 2 ** 20]], [2, [2 ** 20, 2 ** 20]]]),
    logs: [line("listening on 8080"), line("boom", "err")],
    confirm: null,
    message: null,
    now: T0,
    ...fields,
  };
}

const SCREEN = { width: 100, height: 24, color: false, measure: displayWidth };

Deno.test("renderMonitScreen() fills the terminal exactly: height lines, none wider than width", () => {
  for (const [width, height] of [[100, 24], [60, 12], [20, 5], [200, 60]] as const) {
    const lines = renderMonitScreen(state(), { ...SCREEN, width, height });
    strictEqual(lines.length, height, `${width}x${height}`);
    for (const l of lines) ok(displayWidth(l) <= width, `${width}x${height}: ${JSON.stringify(l)}`);
  }
});

Deno.test("renderMonitScreen() shows the list, the selection's details, its logs and the keys", () => {
  const lines = renderMonitScreen(state(), SCREEN);
  const text = lines.join("\n");
  ok(lines[0]?.startsWith("Adasa monit: 2 instances"), text);
  ok(lines[0]?.endsWith("03:00:00"), text);
  ok(/^ +id +name +status/.test(lines[1] ?? ""), text);
  ok(/^ *> 1 +api +online +0 /.test(lines[2] ?? ""), text);
  ok(/^ +2 +idle +online +3 /.test(lines[3] ?? ""), text);
  ok(text.includes("── api#1 ──"), text);
  ok(text.includes("state      online (wants up)   pid 1001 since 02:59:00"), text);
  ok(text.includes("why        -"), text);
  ok(text.includes("last exit  -"), text);
  ok(text.includes("── logs of api#1 ──"), text);
  ok(text.includes("03:00:00 | listening on 8080") && text.includes("03:00:00 E boom"), text);
  strictEqual(lines.at(-1), "↑/↓ j/k select   r restart   s stop   l reload   q quit");
});

Deno.test("renderMonitScreen() details the selected instance: why, restarts, last exit", () => {
  const text = renderMonitScreen(state({ selectedId: 2, logs: [] }), SCREEN).join("\n");
  ok(/^ *> 2 +idle/m.test(text), text);
  ok(text.includes("why        exited with code 1; restarting"), text);
  ok(text.includes("restarts   3 (1 unstable)"), text);
  ok(text.includes("last exit  code=1 at 2026-11-27 02:58:00.000"), text);
  ok(text.includes("(no output yet)"), text);
  const signalled = state({
    selectedId: 2,
    rows: [info(2, "idle", { exit_signal: "SIGTERM", exit_code: null, exited_at: T0 })],
  });
  ok(
    renderMonitScreen(signalled, SCREEN).join("\n").includes(
      "last exit  signal=SIGTERM at 2026-11-27 03:00:00.000",
    ),
  );
});

Deno.test("renderMonitScreen() draws every sparkline on one shared, labelled scale", () => {
  const text = renderMonitScreen(state({ selectedId: 2 }), SCREEN).join("\n");
  // The idle app (0.1 %) beside a busy one (50 %): its bars stay at the bottom.
  ok(/^cpu +0\.1% +shared scale 0–50\.0% +▁▁▁▁$/m.test(text), text);
  ok(/^memory +1\.0MiB +shared scale 0–64\.0MiB +▁▁$/m.test(text), text);
  ok(text.includes("cpu, 0–50.0%"), text);
  const busy = renderMonitScreen(state({ selectedId: 1 }), SCREEN).join("\n");
  ok(/^cpu +50\.0% +shared scale 0–50\.0% +▁▅██$/m.test(busy), busy);
  // Alone and idle, the scale's floor (1 %) keeps idle bars low instead of full.
  const alone = state({ rows: [info(2, "idle")], cpu: new Map([[2, [0.1, 0.2]]]) });
  const idle = renderMonitScreen(alone, SCREEN).join("\n");
  ok(/^cpu +0\.1% +shared scale 0–1\.0% +▂▂$/m.test(idle), idle);
});

Deno.test("renderMonitScreen() asks y/n for an action and then shows its outcome", () => {
  const asking = renderMonitScreen(
    state({ confirm: { action: "restart", id: 2, name: "idle" } }),
    SCREEN,
  );
  strictEqual(asking.at(-1), "restart idle#2? y/n");
  strictEqual(
    renderMonitScreen(state({ message: "stopped idle#2" }), SCREEN).at(-1),
    "stopped idle#2",
  );
});

Deno.test("renderMonitScreen() scrolls the list to keep the selection in view", () => {
  const rows = Array.from({ length: 40 }, (_, i) => info(i, `app${i}`));
  const lines = renderMonitScreen(state({ rows, selectedId: 30, logs: [] }), SCREEN);
  ok(lines.some((l) => /^ *> 30 +app30 /.test(l)), lines.join("\n"));
  ok(!lines.some((l) => /^ +0 +app0 /.test(l)), lines.join("\n"));
  strictEqual(lines.length, 24);
});

Deno.test("renderMonitScreen() without apps says how to start one", () => {
  const lines = renderMonitScreen(state({ rows: [] }), SCREEN);
  ok(lines.includes("No apps yet; start one with: adasa start <command>"), lines.join("\n"));
  strictEqual(lines.length, 24);
});

Deno.test("moveSelection() steps through the rows and stops at both ends", () => {
  const s = state();
  strictEqual(moveSelection(s, 1), 2);
  strictEqual(moveSelection({ ...s, selectedId: 2 }, 1), 2);
  strictEqual(moveSelection({ ...s, selectedId: 2 }, -1), 1);
  strictEqual(moveSelection({ ...s, selectedId: 1 }, -1), 1);
  strictEqual(moveSelection({ ...s, rows: [] }, 1), null);
});

Deno.test("sharedScale() is the largest value of every series, at least the floor", () => {
  strictEqual(sharedScale(new Map([[1, [1, null, 7]], [2, [3]]]), 1), 7);
  strictEqual(sharedScale(new Map([[1, [0.2]]]), 1), 1);
  strictEqual(sharedScale(new Map(), 5), 5);
});

Deno.test("fitWidth() cuts to the width in terminal columns and marks the cut", () => {
  strictEqual(fitWidth("abcdef", 4, asciiMeasure), "abc…");
  strictEqual(fitWidth("abcd", 4, asciiMeasure), "abcd");
  strictEqual(fitWidth("日本語です", 5, displayWidth), "日本…");
});

Deno.test("renderMonit() (the plain table) draws every row on one scale, named in the header", () => {
  const text = renderMonit(state().rows, new Map([[1, [0, 50]], [2, [0.1, 0.1]]]), {
    color: false,
    width: 100,
    measure: displayWidth,
  });
  ok(text.split("\n")[0]?.endsWith("cpu history, 0–50.0%"), text);
  ok(/^ *1 +api .*▁█$/m.test(text), text);
  ok(/^ *2 +idle .*▁▁$/m.test(text), text);
});

Deno.test("recordRows() adds each read to the histories and forgets deleted instances", () => {
  const s = state();
  recordRows(s, [info(1, "api", { group_cpu: 80, group_memory: 5 })], T0 + 2000);
  strictEqual(s.now, T0 + 2000);
  strictEqual(s.rows.length, 1);
  strictEqual(s.cpu.get(1)?.at(-1), 80);
  strictEqual(s.memory.get(1)?.at(-1), 5);
  // Instance 2 is gone: its history no longer sets the scale.
  ok(!s.cpu.has(2) && !s.memory.has(2));
  for (let i = 0; i < 100; i++) recordRows(s, [info(1, "api")], T0);
  strictEqual(s.cpu.get(1)?.length, HISTORY_POINTS);
});

Deno.test("renderMonitScreen() in colour: statuses painted, the selection in reverse video, widths kept", () => {
  const lines = renderMonitScreen(state(), { ...SCREEN, width: 50, color: true });
  for (const l of lines) ok(displayWidth(l) <= 50, JSON.stringify(l));
  ok(lines[2]?.startsWith("\x1b[7m") && lines[2].endsWith("\x1b[0m"), JSON.stringify(lines[2]));
  ok(lines[3]?.includes("\x1b[32monline\x1b[0m"), JSON.stringify(lines[3]));
  // A cut through a coloured cell closes the colour before the ellipsis.
  strictEqual(fitWidth("ab\x1b[32mcdef\x1b[0m", 4, asciiMeasure), "ab\x1b[32mc\x1b[0m…");
});

function event(fields: Partial<EventRecord>): EventRecord {
  return eventRecord({ at: T0, instance_id: 2, app: "idle", ...fields });
}

Deno.test("renderMonitScreen() takes why and last exit from the instance's events, as describe does", () => {
  const row = info(2, "idle", {
    reason: "exited with code 1 before min_uptime; unstable restart 6",
  });
  const detail = {
    ...row,
    last_exit: event({
      at: T0 - 5000,
      signal: "SIGTERM",
      pid: 7,
      uptime_ms: 1000,
      reason: "stopped",
    }),
    // The instance has been online since: the old crash reason explains nothing any more.
    last_transition: event({ event: "ready", from_state: "launching", to_state: "online" }),
  } as unknown as Description;
  const text = renderMonitScreen(state({ rows: [row], selectedId: 2, detail }), SCREEN).join("\n");
  ok(text.includes("why        -\n"), text);
  ok(
    text.includes(
      "last exit  signal=SIGTERM at 2026-11-27 02:59:55.000 (pid 7, uptime 1s; stopped)",
    ),
    text,
  );
  // Another instance's describe is not used for the selected one.
  const other = renderMonitScreen(
    state({ rows: [row], selectedId: 2, detail: { ...detail, id: 9 } as Description }),
    SCREEN,
  ).join("\n");
  ok(other.includes("why        exited with code 1 before min_uptime; unstable restart 6"), other);
});
