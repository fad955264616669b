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
}

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

function renderFamily(family: Family): string {
  const lines = [`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`];
  for (const { labels, value } of family.samples) {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
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

/** The whole exposition: every instance family, then the daemon's. Ends with a newline. */
export function renderMetrics(rows: InstanceInfo[], daemon: DaemonFigures): string {
  const families = [...instanceFamilies(rows), ...daemonFamilies(daemon)];
  return families.map(renderFamily).join("\n") + "\n";
}
