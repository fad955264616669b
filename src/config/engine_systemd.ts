/**
 * systemd units from app definitions: NAME.service per app, or a template NAME@.service and
 * NAME.target for several instances, and NAME-cron-restart.timer for a cron restart.
 */
import type { AppSpec } from "../protocol/mod.ts";
import {
  argvOf,
  BASE_ENV_NOTE,
  type EngineExport,
  type EngineFile,
  envOf,
  Notes,
} from "./engine_common.ts";

const RESTART = { always: "always", on_failure: "on-failure", never: "no" } as const;
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** Writes the units of `specs`. */
export function exportSystemd(specs: readonly AppSpec[]): EngineExport {
  const notes = new Notes("systemd");
  const byName = new Map(specs.map((s) => [s.name, s]));
  const files: EngineFile[] = [];
  for (const spec of specs) {
    notes.app(spec);
    const service = serviceLines(spec, byName, notes);
    const timer = spec.cron_restart === null ? null : timerFiles(spec, notes);
    const base = unitBase(spec.name);
    const header = [
      `# The app "${spec.name}", exported by \`adasa export --format systemd\`.`,
      BASE_ENV_NOTE,
      ...notes.comment(spec),
    ];
    if (spec.instances > 1) {
      header.push(
        `# ${spec.instances} instances: \`systemctl enable --now ${base}.target\` starts them all.`,
      );
      files.push({ path: `${base}@.service`, text: [...header, ...service].join("\n") + "\n" });
      files.push({ path: `${base}.target`, text: targetText(spec) });
    } else {
      files.push({ path: `${base}.service`, text: [...header, ...service].join("\n") + "\n" });
    }
    if (timer) files.push(...timer);
  }
  return { files, warnings: notes.warnings };
}

/** The unit that stands for the whole app: NAME.service, or NAME.target for instances. */
function unitOf(spec: AppSpec): string {
  return `${unitBase(spec.name)}.${spec.instances > 1 ? "target" : "service"}`;
}

function serviceLines(spec: AppSpec, byName: Map<string, AppSpec>, notes: Notes): string[] {
  const unit = ["[Unit]", `Description=${escapeSpecifiers(spec.name)} (exported from Adasa)`];
  const after = ["network.target"];
  for (const [name, condition] of Object.entries(spec.depends_on)) {
    const dep = byName.get(name);
    if (!dep) {
      notes.add(spec, "depends_on", `"${name}" is not among the exported apps`);
      continue;
    }
    unit.push(`Requires=${unitOf(dep)}`);
    after.push(unitOf(dep));
    if (condition !== "started") {
      notes.add(
        spec,
        "depends_on",
        `"${name}: ${condition}" becomes ordering after its start; systemd cannot wait for it to be ${condition}`,
      );
    }
  }
  unit.push(`After=${after.join(" ")}`);
  if (spec.instances > 1) unit.push(`PartOf=${unitBase(spec.name)}.target`);
  const service = ["", "[Service]", "Type=simple", `WorkingDirectory=${quote(spec.cwd)}`];
  service.push(`ExecStart=${argvOf(spec).map((w) => quote(w).replaceAll("$", "$$$$")).join(" ")}`);
  const env = envOf(spec);
  if (spec.instances > 1) env[spec.instance_var] = "%i";
  for (const [key, value] of Object.entries(env)) {
    const text = key === spec.instance_var && spec.instances > 1
      ? `${key}=%i`
      : escapeSpecifiers(`${key}=${value}`);
    service.push(`Environment=${quoteWord(text)}`);
  }
  service.push(`Restart=${RESTART[spec.restart]}`);
  service.push(`RestartSec=${spec.restart_delay_ms}ms`);
  if (spec.stop_exit_codes.length) {
    service.push(`SuccessExitStatus=${spec.stop_exit_codes.join(" ")}`);
  }
  service.push(`KillSignal=${spec.stop_signal}`);
  service.push(`TimeoutStopSec=${spec.kill_timeout_ms}ms`);
  if (spec.max_memory !== null) service.push(`MemoryMax=${spec.max_memory}`);
  if (spec.max_cpu !== null) service.push(`CPUQuota=${spec.max_cpu}%`);
  service.push(...logLines(spec));
  const install = spec.instances > 1 ? [] : ["", "[Install]", "WantedBy=multi-user.target"];
  return [...unit, ...service, ...install];
}

function logLines(spec: AppSpec): string[] {
  const out = spec.out_file ?? spec.log_file;
  const err = spec.error_file ?? spec.log_file;
  const lines: string[] = [];
  if (out) lines.push(`StandardOutput=append:${escapeSpecifiers(out)}`);
  if (err) lines.push(`StandardError=append:${escapeSpecifiers(err)}`);
  return lines;
}

function targetText(spec: AppSpec): string {
  const base = unitBase(spec.name);
  const wants = Array.from({ length: spec.instances }, (_, i) => `${base}@${i}.service`);
  return [
    `# The ${spec.instances} instances of "${spec.name}", exported by \`adasa export --format systemd\`.`,
    "[Unit]",
    `Description=${escapeSpecifiers(spec.name)}, ${spec.instances} instances (exported from Adasa)`,
    `Wants=${wants.join(" ")}`,
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/** A oneshot service that restarts the app, and the timer that runs it on the cron pattern. */
function timerFiles(spec: AppSpec, notes: Notes): EngineFile[] | null {
  const calendar = onCalendar(spec.cron_restart!);
  if (calendar === null) {
    notes.add(spec, "cron_restart", `"${spec.cron_restart}" has no OnCalendar= form`);
    return null;
  }
  const base = `${unitBase(spec.name)}-cron-restart`;
  const target = spec.instances > 1 ? `${unitBase(spec.name)}@*.service` : unitOf(spec);
  const service = [
    `# Restarts "${spec.name}" for its cron_restart "${spec.cron_restart}".`,
    "[Unit]",
    `Description=Restart ${escapeSpecifiers(spec.name)} (cron_restart)`,
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=/usr/bin/systemctl restart ${quote(target)}`,
    "",
  ];
  const timer = [
    `# cron_restart "${spec.cron_restart}" of "${spec.name}".`,
    "[Unit]",
    `Description=Restart ${escapeSpecifiers(spec.name)} on ${spec.cron_restart}`,
    "",
    "[Timer]",
    `OnCalendar=${calendar}`,
    `Unit=${base}.service`,
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ];
  return [
    { path: `${base}.service`, text: service.join("\n") },
    { path: `${base}.timer`, text: timer.join("\n") },
  ];
}

/**
 * A cron pattern (5 fields, or 6 with seconds first) as an OnCalendar= expression, or null
 * when a field uses what systemd has no form for (L, W, #, steps over a range).
 */
export function onCalendar(pattern: string): string | null {
  const fields = pattern.trim().split(/\s+/);
  if (fields.length === 5) fields.unshift("0");
  const [sec, min, hour, dom, month, dow] = fields as string[] as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const parts = [
    field(sec, 0),
    field(min, 0),
    field(hour, 0),
    field(dom, 1),
    field(month, 1, MONTHS),
  ];
  if (parts.some((p) => p === null)) return null;
  const [s, m, h, d, mo] = parts as string[];
  const days = dow === "*" || dow === "?" ? "" : weekdays(dow);
  if (days === null) return null;
  return `${days ? days + " " : ""}*-${mo}-${d} ${h}:${m}:${s}`;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

function field(text: string, first: number, names?: string[]): string | null {
  if (text === "*" || text === "?") return "*";
  const named = names
    ? text.toLowerCase().replace(/[a-z]{3}/g, (n) => String(names.indexOf(n) + 1))
    : text;
  const out: string[] = [];
  for (const item of named.split(",")) {
    let m: RegExpMatchArray | null;
    if ((m = item.match(/^\*\/(\d+)$/))) out.push(`${first}/${m[1]}`);
    else if ((m = item.match(/^(\d+)\/(\d+)$/))) out.push(`${m[1]}/${m[2]}`);
    else if ((m = item.match(/^(\d+)-(\d+)$/))) out.push(`${m[1]}..${m[2]}`);
    else if (/^\d+$/.test(item)) out.push(item);
    else return null;
  }
  return out.join(",");
}

function weekdays(text: string): string | null {
  const names = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
  const numbered = text.toLowerCase().replace(/[a-z]{3}/g, (n) => String(names.indexOf(n)));
  const out: string[] = [];
  for (const item of numbered.split(",")) {
    let m: RegExpMatchArray | null;
    if ((m = item.match(/^(\d)-(\d)$/))) out.push(`${WEEKDAYS[+m[1]!]}..${WEEKDAYS[+m[2]!]}`);
    else if ((m = item.match(/^(\d)$/)) && WEEKDAYS[+m[1]!]) out.push(WEEKDAYS[+m[1]!]!);
    else return null;
  }
  return out.join(",");
}

/** An app name as a unit name: characters systemd does not allow become `\xNN`, as systemd-escape. */
export function unitBase(name: string): string {
  return name.replace(/[^A-Za-z0-9:_.-]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`);
}

/** `%` is a specifier in unit files; `%%` is a literal one. */
function escapeSpecifiers(text: string): string {
  return text.replaceAll("%", "%%");
}

/** One word of a command line or setting, quoted when it needs to be. */
function quote(word: string): string {
  return quoteWord(escapeSpecifiers(word));
}

function quoteWord(word: string): string {
  if (/^[A-Za-z0-9_\/.:,=+@%-]+$/.test(word)) return word;
  const escaped = word.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
  return `"${escaped}"`;
}
