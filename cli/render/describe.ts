/** The text of `adasa describe` for one instance. Pure. */
import type { Description } from "../../src/protocol/ops.ts";
import { paint, statusColor } from "./color.ts";
import { formatDuration, formatTime } from "./units.ts";
import { formatPercent, formatSize } from "../../src/model/units.ts";
import { exitText, renderEventLine } from "./events.ts";
import { pm2FilesOf, type Pm2LogSettings } from "../../src/model/pm2_log_files.ts";
import type { EventRecord } from "../../src/protocol/messages.ts";

export function renderDescription(
  d: Description,
  options: { color: boolean; now: number },
): string {
  // Read field by field: a daemon of another version may lack some.
  const spec: Record<string, unknown> = { ...d.spec };
  const status = paint(d.status, statusColor(d.status), options.color);
  const why = whyText(d);
  const pairs: Array<[string, string]> = [
    ["name", `${d.name} (id ${d.id}, instance ${d.instance} of ${d.name})`],
    ["status", why ? `${status}: ${why}` : status],
    ["desired", d.desired],
    ["pid", d.pid === null ? "-" : String(d.pid)],
    ["uptime", d.uptime_ms === null ? "-" : formatDuration(d.uptime_ms)],
    ["started at", d.started_at === null ? "-" : formatTime(d.started_at)],
    ["restarts", `${d.restarts} (unstable in a row: ${d.unstable_restarts})`],
    ["last exit", lastExitText(d)],
    [
      "command",
      [
        spec.interpreter,
        ...(spec.interpreter_args as string[] ?? []),
        spec.command,
        ...(spec.args as string[] ?? []),
      ].filter(Boolean).join(" "),
    ],
    ["cwd", String(spec.cwd)],
    [
      "restart",
      `${spec.restart}, min_uptime ${spec.min_uptime_ms} ms, max_restarts ${spec.max_restarts}, restart_delay ${spec.restart_delay_ms} ms`,
    ],
    ["stop", `${spec.stop_signal}, then SIGKILL after ${spec.kill_timeout_ms} ms`],
    [
      "env",
      Object.keys(spec.env as Record<string, string>).map((k) =>
        `${k}=${(spec.env as Record<string, string>)[k]}`
      ).join(" ") || "-",
    ],
    ["limits", limitsText(spec)],
    ["readiness", `${readinessText(spec)}: ${d.ready ?? "-"}`],
    ["liveness", livenessText(spec, d)],
    ["last probe", d.last_probe ?? "-"],
    ["depends on", dependsText(spec)],
    ["logs", logsText(d, spec)],
    ["database", d.database],
  ];
  const width = Math.max(...pairs.map(([k]) => k.length));
  const lines = pairs.map(([k, v]) => `${k.padStart(width)}  ${v}`);
  if (d.last_stderr) {
    lines.push(
      "",
      "last stderr before the last exit:",
      ...d.last_stderr.split("\n").map((l) => "  " + l),
    );
  }
  if (d.recent_events.length) {
    lines.push("", "recent events:", ...d.recent_events.map((e) => "  " + renderEventLine(e)));
  }
  return lines.join("\n");
}

function readinessText(spec: Record<string, unknown>): string {
  const r = spec.readiness as Record<string, unknown> | undefined;
  if (!r || r.kind === "uptime") return `up for min_uptime ${spec.min_uptime_ms} ms`;
  const timeout = `within ${spec.ready_timeout_ms} ms`;
  if (r.kind === "log_line") return `a line matching /${r.pattern}/ ${timeout}`;
  if (r.kind === "notify") return `the program writes ready to $ADASA_READY_FILE ${timeout}`;
  if (r.kind === "message") return `the program sends "ready" ${timeout}, or the timeout`;
  return `${checkText(r)} ${timeout}`;
}

function checkText(c: Record<string, unknown>): string {
  if (c.kind === "http") return `GET ${c.url} answers 2xx`;
  if (c.kind === "tcp") return `tcp ${c.host}:${c.port} accepts`;
  return `command ${JSON.stringify(c.command)} exits 0`;
}

function livenessText(spec: Record<string, unknown>, d: Description): string {
  const l = spec.liveness as Record<string, unknown> | null | undefined;
  if (!l) return "-";
  const state = d.health === null ? "" : `: ${d.health} (${d.health_failures} failures in a row)`;
  return `${checkText(l)} every ${l.interval_ms} ms (timeout ${l.timeout_ms} ms, ` +
    `restart after ${l.failure_threshold} failures)${state}`;
}

function dependsText(spec: Record<string, unknown>): string {
  const deps = Object.entries((spec.depends_on ?? {}) as Record<string, string>);
  return deps.length ? deps.map(([name, cond]) => `${name} (${cond})`).join(", ") : "-";
}

function limitsText(spec: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof spec.max_memory === "number") parts.push(`max_memory ${formatSize(spec.max_memory)}`);
  if (typeof spec.max_cpu === "number") parts.push(`max_cpu ${formatPercent(spec.max_cpu)}`);
  if (parts.length === 0) return "-";
  return `${parts.join(", ")} over ${spec.limit_samples} samples, then ${spec.limit_action}`;
}

/**
 * Why the instance is in its state: the reason of the event that brought it there, as `adasa
 * events` shows it. Nothing once a later transition has moved it on (a healthy instance keeps
 * no old crash reason), nor a reason that only repeats the state's name.
 */
export function whyText(
  d: Pick<Description, "status" | "reason"> & { last_transition?: EventRecord | null },
): string {
  // A daemon of another version may lack the field; its reason is then the best there is.
  if (d.last_transition === undefined) return d.reason && d.reason !== d.status ? d.reason : "";
  const t = d.last_transition;
  if (t === null || t.to_state !== d.status || !t.reason || t.reason === d.status) return "";
  return t.reason;
}

/** The last `exit` event: `signal=SIGTERM at T (pid 7, uptime 1s; stopped)`, never `code null`. */
export function lastExitText(
  d: Pick<Description, "exit_signal" | "exit_code" | "exited_at"> & {
    last_exit?: EventRecord | null;
  },
): string {
  const e:
    | Pick<EventRecord, "at" | "pid" | "signal" | "exit_code" | "uptime_ms" | "reason">
    | null = d.last_exit !== undefined ? d.last_exit : d.exited_at === null ? null : {
      at: d.exited_at,
      pid: null,
      signal: d.exit_signal,
      exit_code: d.exit_code,
      uptime_ms: null,
      reason: null,
    };
  if (e === null) return "-";
  const details = [
    e.pid !== null ? `pid ${e.pid}` : "",
    e.uptime_ms !== null ? `uptime ${formatDuration(e.uptime_ms)}` : "",
  ].filter(Boolean).join(", ");
  const after = [details, e.reason ?? ""].filter(Boolean).join("; ");
  return `${exitText(e) || "exited"} at ${formatTime(e.at)}${after ? ` (${after})` : ""}`;
}

/** Where the output goes: Adasa's own log, then the pm2-style files the app names. */
function logsText(d: Description, spec: Record<string, unknown>): string {
  const own = d.log_dropped_bytes
    ? `${d.logs} (${formatSize(d.log_dropped_bytes)} dropped)`
    : d.logs;
  const named = ["out_file", "error_file", "log_file"].some((k) => typeof spec[k] === "string");
  const files = named ? pm2FilesOf(spec as unknown as Pm2LogSettings, d.instance) : null;
  if (!files) return own;
  const parts = [
    files.out ? `out_file ${files.out}` : "",
    files.err ? `error_file ${files.err}` : "",
    files.both ? `log_file ${files.both}` : "",
  ].filter(Boolean);
  return `${own}; ${parts.join(", ")}`;
}
