/** The text of `adasa describe` for one instance. Pure. */
import type { Description } from "../../src/protocol/ops.ts";
import { paint, statusColor } from "./color.ts";
import { formatDuration, formatTime } from "./units.ts";
import { formatPercent, formatSize } from "../../src/model/units.ts";
import { renderEventLine } from "./events.ts";

export function renderDescription(
  d: Description,
  options: { color: boolean; now: number },
): string {
  // Read field by field: a daemon of another version may lack some.
  const spec: Record<string, unknown> = { ...d.spec };
  const lastExit = d.exited_at === null
    ? "-"
    : `${d.exit_signal ?? `code ${d.exit_code}`} at ${formatTime(d.exited_at)}`;
  const status = paint(d.status, statusColor(d.status), options.color);
  const pairs: Array<[string, string]> = [
    ["name", `${d.name} (instance ${d.instance} of app ${d.app_id})`],
    ["status", d.reason ? `${status}: ${d.reason}` : status],
    ["desired", d.desired],
    ["pid", d.pid === null ? "-" : String(d.pid)],
    ["uptime", d.uptime_ms === null ? "-" : formatDuration(d.uptime_ms)],
    ["started at", d.started_at === null ? "-" : formatTime(d.started_at)],
    ["restarts", `${d.restarts} (unstable in a row: ${d.unstable_restarts})`],
    ["last exit", lastExit],
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
    ["logs", d.log_dropped_bytes ? `${d.logs} (${d.log_dropped_bytes} bytes dropped)` : d.logs],
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
