/**
 * The full-screen `adasa monit`: a pure function of the monitor's state to the lines of the
 * screen, exactly `height` lines of at most `width` columns each. From the top: a title, the
 * list of instances (the selected one marked `>`), the detail pane of the selection (state and
 * why, restarts, last exit, CPU and memory sparklines), its log tail, and a line of keys (or the
 * question of an action waiting for y/n, or the answer of the last one).
 *
 * Every sparkline is drawn on one scale shared by all instances and labelled, so an idle app
 * shows low bars beside a busy one instead of bars scaled to itself.
 */
import type { InstanceInfo } from "../../src/protocol/messages.ts";
import type { Description, LogLine } from "../../src/protocol/ops.ts";
import { lastExitText, whyText } from "./describe.ts";
import { paint, statusColor } from "./color.ts";
import { sharedScale, sparkline } from "./sparkline.ts";
import { renderTable } from "./table.ts";
import { formatDuration } from "./units.ts";
import { formatPercent, formatSize } from "../../src/model/units.ts";
import type { Measure } from "./width.ts";

/** An action on the selection that asks y/n first. */
export type MonitAction = "restart" | "stop" | "reload";

/** Everything the screen shows. */
export interface MonitState {
  rows: InstanceInfo[];
  /** Id of the selected instance; the first row when it is gone. */
  selectedId: number | null;
  /** Group CPU (percent of one core) per instance id, oldest first. */
  cpu: ReadonlyMap<number, readonly (number | null)[]>;
  /** Group resident bytes per instance id, oldest first. */
  memory: ReadonlyMap<number, readonly (number | null)[]>;
  /**
   * `describe` of the selected instance, so its why and last exit come from the same events as
   * `adasa describe` and `adasa events`; until it comes, the row's own fields stand in.
   */
  detail: Description | null;
  /** The last lines of the selected instance's logs, oldest first. */
  logs: readonly LogLine[];
  /** An action waiting for y/n. */
  confirm: { action: MonitAction; id: number; name: string } | null;
  /** The outcome of the last action, or an error, shown in place of the keys. */
  message: string | null;
  /** When the rows were read, for the title. */
  now: number;
}

/** The terminal the screen is drawn for. */
export interface ScreenOptions {
  width: number;
  height: number;
  color: boolean;
  measure: Measure;
}

/** Lowest top of the CPU scale (percent): idle noise stays at the bottom of the bars. */
const CPU_SCALE_FLOOR = 1;
/** Lowest top of the memory scale: 1 MiB. */
const MEMORY_SCALE_FLOOR = 2 ** 20;
const DETAIL_LINES = 6;
const KEYS = "↑/↓ j/k select   r restart   s stop   l reload   q quit";

/** The selected row: the one with `selectedId`, else the first. */
export function selectedRow(state: Pick<MonitState, "rows" | "selectedId">): InstanceInfo | null {
  return state.rows.find((r) => r.id === state.selectedId) ?? state.rows[0] ?? null;
}

/** The id `step` rows away from the selection, clamped to the list. */
export function moveSelection(
  state: Pick<MonitState, "rows" | "selectedId">,
  step: number,
): number | null {
  if (state.rows.length === 0) return null;
  const at = Math.max(0, state.rows.findIndex((r) => r.id === state.selectedId));
  const next = Math.min(state.rows.length - 1, Math.max(0, at + step));
  return (state.rows[next] as InstanceInfo).id;
}

/** Samples kept per instance: the width of the widest sparkline. */
export const HISTORY_POINTS = 60;

/** Appends one sample to an instance's history, keeping the last HISTORY_POINTS. */
export function pushSample(
  history: ReadonlyMap<number, readonly (number | null)[]>,
  id: number,
  value: number | null,
): void {
  const map = history as Map<number, (number | null)[]>;
  const list = map.get(id) ?? [];
  list.push(value);
  if (list.length > HISTORY_POINTS) list.shift();
  map.set(id, list);
}

/**
 * Takes a new read of the instances: their figures join the histories, and a deleted
 * instance's history goes, so it no longer weighs on the shared scales.
 */
export function recordRows(state: MonitState, rows: InstanceInfo[], now: number): void {
  state.rows = rows;
  state.now = now;
  for (const row of rows) {
    pushSample(state.cpu, row.id, row.group_cpu);
    pushSample(state.memory, row.id, row.group_memory);
  }
  const ids = new Set(rows.map((r) => r.id));
  for (const history of [state.cpu, state.memory]) {
    for (const id of history.keys()) {
      if (!ids.has(id)) (history as Map<number, unknown>).delete(id);
    }
  }
}

/** Renders the screen: exactly `options.height` lines, none wider than `options.width`. */
export function renderMonitScreen(state: MonitState, options: ScreenOptions): string[] {
  const { width, height, measure } = options;
  const fit = (text: string) => fitWidth(text, width, measure);
  const selected = selectedRow(state);
  const cpuTop = sharedScale(state.cpu, CPU_SCALE_FLOOR);
  const memoryTop = sharedScale(state.memory, MEMORY_SCALE_FLOOR);
  const title = `Adasa monit: ${state.rows.length} instance${state.rows.length === 1 ? "" : "s"}`;
  const time = clock(state.now);
  const head = [fit(title + " ".repeat(Math.max(1, width - title.length - time.length)) + time)];
  const foot = [fit(footer(state))];
  if (state.rows.length === 0 || selected === null) {
    const body = ["", "No apps yet; start one with: adasa start <command>"].map(fit);
    return frame([...head, ...body], foot, height);
  }

  // The list takes up to a third of the screen, scrolled so that the selection is in view.
  const listRoom = Math.max(2, Math.min(state.rows.length, Math.floor((height - 4) / 3)));
  const index = Math.max(0, state.rows.indexOf(selected));
  const first = Math.min(
    Math.max(0, index - listRoom + 1),
    Math.max(0, state.rows.length - listRoom),
  );
  const shown = state.rows.slice(first, first + listRoom);
  const historyWidth = Math.max(8, Math.min(30, width - 66));
  const table = renderTable(
    ["  id", "name", "status", "↺", "uptime", "cpu", "memory", `cpu, 0–${formatPercent(cpuTop)}`],
    shown.map((r) => [
      `${r.id === selected.id ? ">" : " "} ${r.id}`,
      clip(r.name, 18),
      paint(r.status, statusColor(r.status), options.color && r.id !== selected.id),
      String(r.restarts),
      r.uptime_ms === null ? "-" : formatDuration(r.uptime_ms),
      formatPercent(r.group_cpu),
      formatSize(r.group_memory),
      sparkline(state.cpu.get(r.id) ?? [], { width: historyWidth, min: 0, max: cpuTop }),
    ]),
    { rightAlign: [0, 3, 5, 6], measure },
  ).split("\n");
  const list = table.map((line, i) => {
    const fitted = fit(line);
    if (i === 0) return paint(fitted, "bold", options.color);
    const row = shown[i - 1] as InstanceInfo;
    return options.color && row.id === selected.id ? `\x1b[7m${fitted}\x1b[0m` : fitted;
  });

  const detail = detailPane(selected, state, { cpuTop, memoryTop, width }).map(fit);
  const logRoom = Math.max(0, height - head.length - list.length - detail.length - 3);
  const logLines = state.logs.slice(-logRoom).map((line) =>
    fit(logLine(line).slice(0, 2 * width + 32))
  );
  const logs = [
    fit(rule(`logs of ${selected.name}#${selected.id}`, width)),
    ...(logLines.length === 0 ? [fit("(no output yet)")] : logLines),
  ];
  return frame(
    [...head, ...list, fit(rule(`${selected.name}#${selected.id}`, width)), ...detail, ...logs],
    foot,
    height,
  );
}

function detailPane(
  r: InstanceInfo,
  state: MonitState,
  o: { cpuTop: number; memoryTop: number; width: number },
): string[] {
  const d = state.detail !== null && state.detail.id === r.id ? state.detail : null;
  const since = r.started_at === null ? "" : ` since ${clock(r.started_at)}`;
  const pid = r.pid === null ? "" : `   pid ${r.pid}`;
  const lines = [
    `state      ${r.status} (wants ${r.desired})${pid}${r.status === "online" ? since : ""}`,
    `why        ${(d ? whyText(d) : whyText(r)) || "-"}`,
    `restarts   ${r.restarts} (${r.unstable_restarts} unstable)`,
    `last exit  ${d ? lastExitText(d) : lastExitText(r)}`,
  ];
  // "cpu          0.1%  shared scale 0–50.0%    ▁▁▂▇": the figures first, so a narrow screen
  // cuts bars, never the scale.
  const barWidth = Math.max(8, Math.min(60, o.width - 48));
  const chart = (
    label: string,
    now: string,
    top: string,
    values: readonly (number | null)[],
    max: number,
  ) =>
    `${label.padEnd(11)}${now.padStart(8)}  shared scale 0–${top.padEnd(9)}  ${
      sparkline(values, { width: barWidth, min: 0, max })
    }`;
  lines.push(
    chart(
      "cpu",
      formatPercent(r.group_cpu),
      formatPercent(o.cpuTop),
      state.cpu.get(r.id) ?? [],
      o.cpuTop,
    ),
    chart(
      "memory",
      formatSize(r.group_memory),
      formatSize(o.memoryTop),
      state.memory.get(r.id) ?? [],
      o.memoryTop,
    ),
  );
  return lines.slice(0, DETAIL_LINES);
}

function footer(state: MonitState): string {
  if (state.confirm !== null) {
    const { action, id, name } = state.confirm;
    return `${action} ${name}#${id}? y/n`;
  }
  return state.message ?? KEYS;
}

// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/g;

function logLine(line: LogLine): string {
  const text = line.text.replace(CONTROL, " ");
  return `${clock(line.time)} ${line.stream === "err" ? "E" : "|"} ${text}`;
}

function rule(label: string, width: number): string {
  const head = `── ${label} `;
  return head + "─".repeat(Math.max(0, width - head.length));
}

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

/** The body, blank lines, then the footer on the last line: exactly `height` lines. */
function frame(body: string[], foot: string[], height: number): string[] {
  const room = Math.max(0, height - foot.length);
  const top = body.slice(0, room);
  while (top.length < room) top.push("");
  return [...top, ...foot].slice(0, Math.max(1, height));
}

/** Cuts `text` to `width` columns (colour codes cost none), ending in `…` when it was longer. */
export function fitWidth(text: string, width: number, measure: Measure): string {
  if (measure(text) <= width) return text;
  let out = "";
  let used = 0;
  // Colour codes are taken whole and cost no column.
  // deno-lint-ignore no-control-regex
  for (const token of text.match(/\x1b\[[0-9;]*m|[^]/gu) ?? []) {
    const cost = token.startsWith("\x1b[") ? 0 : measure(token);
    if (used + cost > width - 1) break;
    out += token;
    used += cost;
  }
  // A cut through coloured text ends its colour too.
  return out.includes("\x1b[") ? `${out}\x1b[0m…` : `${out}…`;
}

/** Local `HH:MM:SS`. */
function clock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
