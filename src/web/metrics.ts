/**
 * `GET /metrics` in the Prometheus text exposition format (version 0.0.4). Pure: rows of
 * `list` and the reply of `daemon_status` in, text out. The names are documented in the README;
 * renaming one breaks users' dashboards and alerts.
 */
import { type InstanceInfo, STATES } from "../protocol/mod.ts";
import { formatPercent, formatSize } from "../model/units.ts";

/** The figures of `daemon_status` that metrics use. */
export interface DaemonFigures {
  version: string;
  uptime_ms: number;
  memory_rss: number;
  persist_errors: number;
  dropped_samples: number;
  hostname: string;
  exits: Array<{ app: string; reason: string; count: number }>;
  restarts: Array<{ app: string; reason: string; count: number }>;
  log_bytes: Array<{ app: string; bytes: number }>;
}

/** The reasons every app reports, at 0 until one happens, so `rate()` has a start. */
const EXIT_REASONS = ["stopped", "signal", "error", "clean"];
const RESTART_REASONS = ["crash", "command", "cron", "watch", "limit", "unhealthy", "other"];

type Labels = Record<string, string>;

interface Family {
  name: string;
  type: "gauge" | "counter";
  help: string;
  samples: Array<{ labels: Labels; value: number }>;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  return String(value);
}

function renderFamily(family: Family, host: string): string {
  const lines = [`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`];
  for (const { labels, value } of family.samples) {
    const pairs = Object.entries({ host, ...labels }).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
    const labelText = pairs.length ? `{${pairs.join(",")}}` : "";
    lines.push(`${family.name}${labelText} ${formatValue(value)}`);
  }
  return lines.join("\n");
}

function labelsOf(row: InstanceInfo): Labels {
  return { app: row.name, id: String(row.id), instance: String(row.instance) };
}

/** One sample per row that has a value (a missing figure is left out, not reported as 0). */
function perInstance(
  rows: InstanceInfo[],
  value: (row: InstanceInfo) => number | null,
): Family["samples"] {
  return rows.flatMap((row) => {
    const v = value(row);
    return v === null ? [] : [{ labels: labelsOf(row), value: v }];
  });
}

function instanceFamilies(rows: InstanceInfo[]): Family[] {
  const g = (name: string, help: string, samples: Family["samples"]): Family => ({
    name,
    type: "gauge",
    help,
    samples,
  });
  return [
    g(
      "adasa_instance_up",
      "1 when the instance has a running process, else 0.",
      perInstance(rows, (r) => (r.pid === null ? 0 : 1)),
    ),
    g(
      "adasa_instance_status",
      "1 for the instance's current state, 0 for the others.",
      rows.flatMap((row) =>
        STATES.map((status) => ({
          labels: { ...labelsOf(row), status },
          value: row.status === status ? 1 : 0,
        }))
      ),
    ),
    {
      name: "adasa_instance_restarts_total",
      type: "counter",
      help: "Restarts of the instance since it was created.",
      samples: perInstance(rows, (r) => r.restarts),
    },
    g(
      "adasa_instance_cpu_percent",
      `CPU of the instance's process group, percent of one core (latest sample; 150 is ${
        formatPercent(150)
      } in list, 1.5 cores busy).`,
      perInstance(rows, (r) => r.group_cpu),
    ),
    g(
      "adasa_instance_memory_bytes",
      `Resident memory of the instance's process group in bytes (latest sample; 1048576 is ${
        formatSize(2 ** 20)
      } in list).`,
      perInstance(rows, (r) => r.group_memory),
    ),
    g(
      "adasa_instance_uptime_seconds",
      "Seconds since the instance's process started.",
      perInstance(rows, (r) => (r.uptime_ms === null ? null : r.uptime_ms / 1000)),
    ),
  ];
}

function daemonFamilies(d: DaemonFigures): Family[] {
  const one = (name: string, type: Family["type"], help: string, value: number): Family => ({
    name,
    type,
    help,
    samples: [{ labels: {}, value }],
  });
  return [
    {
      name: "adasa_daemon_info",
      type: "gauge",
      help: "Always 1; the daemon's version is a label.",
      samples: [{ labels: { version: d.version }, value: 1 }],
    },
    one(
      "adasa_daemon_uptime_seconds",
      "gauge",
      "Seconds since the daemon started.",
      d.uptime_ms / 1000,
    ),
    one(
      "adasa_daemon_memory_bytes",
      "gauge",
      `Resident memory of the daemon in bytes (1048576 is ${formatSize(2 ** 20)}).`,
      d.memory_rss,
    ),
    one(
      "adasa_daemon_persist_errors_total",
      "counter",
      "Database writes that failed since the daemon started.",
      d.persist_errors,
    ),
    one(
      "adasa_daemon_dropped_samples_total",
      "counter",
      "CPU and memory samples the database refused since the daemon started.",
      d.dropped_samples,
    ),
  ];
}

/** Per app and reason: every app of `rows` with every known reason, plus any other counted. */
function byReason(
  apps: string[],
  reasons: string[],
  counted: Array<{ app: string; reason: string; count: number }>,
): Family["samples"] {
  const values = new Map<string, number>();
  for (const app of apps) {
    for (const reason of reasons) values.set(JSON.stringify([app, reason]), 0);
  }
  for (const c of counted) values.set(JSON.stringify([c.app, c.reason]), c.count);
  return [...values].map(([key, value]) => {
    const [app, reason] = JSON.parse(key) as [string, string];
    return { labels: { app, reason }, value };
  });
}

function appFamilies(rows: InstanceInfo[], d: DaemonFigures): Family[] {
  const apps = [...new Set(rows.map((r) => r.name))];
  const bytes = new Map(apps.map((app) => [app, 0]));
  for (const { app, bytes: n } of d.log_bytes) bytes.set(app, n);
  return [
    {
      name: "adasa_app_exits_total",
      type: "counter",
      help: "Process exits of the app since the daemon started, by reason " +
        "(stopped: asked to stop; signal; error: non-zero code; clean: code 0).",
      samples: byReason(apps, EXIT_REASONS, d.exits),
    },
    {
      name: "adasa_app_restarts_total",
      type: "counter",
      help: "Restarts of the app since the daemon started, by reason " +
        "(crash, command, cron, watch, limit, unhealthy, other).",
      samples: byReason(apps, RESTART_REASONS, d.restarts),
    },
    {
      name: "adasa_app_log_bytes_total",
      type: "counter",
      help: "Bytes written to the app's log files since the daemon started.",
      samples: [...bytes].map(([app, value]) => ({ labels: { app }, value })),
    },
  ];
}

/**
 * The whole exposition: every instance family, the apps', then the daemon's. Every sample
 * carries a `host` label (the machine's host name), so one Prometheus can tell daemons apart.
 * Ends with a newline.
 */
export function renderMetrics(rows: InstanceInfo[], daemon: DaemonFigures): string {
  const families = [
    ...instanceFamilies(rows),
    ...appFamilies(rows, daemon),
    ...daemonFamilies(daemon),
  ];
  return families.map((f) => renderFamily(f, daemon.hostname)).join("\n") + "\n";
}
