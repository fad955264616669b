/** A Docker Compose file from app definitions: one service per app. */
import type { AppSpec, Check, Liveness } from "../protocol/mod.ts";
import {
  argvOf,
  BASE_ENV_NOTE,
  dnsName,
  type EngineExport,
  envOf,
  imageOf,
  isCheck,
  Notes,
} from "./engine_common.ts";
import { stringifyYaml } from "./yaml.ts";

const RESTART = { always: "always", on_failure: "on-failure", never: "no" } as const;
const CONDITION = {
  started: "service_started",
  ready: "service_healthy",
  completed: "service_completed_successfully",
} as const;

/** Writes `compose.yaml` for `specs`. */
export function exportCompose(specs: readonly AppSpec[]): EngineExport {
  const notes = new Notes("compose");
  const byName = new Map(specs.map((s) => [s.name, s]));
  const services: Record<string, unknown> = {};
  for (const spec of specs) {
    notes.app(spec);
    services[dnsName(spec.name)] = service(spec, byName, notes);
  }
  const header = [
    "# Exported by `adasa export --format compose`; check it with `docker compose config`.",
    "# Each service runs in a stock image with its app's folder mounted at the same path:",
    "# build an image of your own when the app needs more than its interpreter.",
    BASE_ENV_NOTE,
    ...specs.flatMap((spec) => notes.comment(spec)),
  ];
  const text = header.join("\n") + "\n" + stringifyYaml({ services });
  return { files: [{ path: "compose.yaml", text }], warnings: notes.warnings };
}

/** The check a healthcheck runs: liveness first, else a readiness check. */
function healthOf(spec: AppSpec): Check | Liveness | null {
  if (spec.liveness) return spec.liveness;
  return isCheck(spec.readiness) ? spec.readiness : null;
}

function service(spec: AppSpec, byName: Map<string, AppSpec>, notes: Notes) {
  const out: Record<string, unknown> = {
    image: imageOf(spec),
    command: argvOf(spec).map(escapeInterpolation),
    working_dir: spec.cwd,
    volumes: [`${spec.cwd}:${spec.cwd}`],
    restart: RESTART[spec.restart],
    stop_signal: spec.stop_signal,
    stop_grace_period: `${spec.kill_timeout_ms}ms`,
  };
  const env = Object.entries(envOf(spec));
  if (env.length) {
    out.environment = Object.fromEntries(env.map(([k, v]) => [k, escapeInterpolation(v)]));
  }
  if (spec.instances > 1) out.deploy = { replicas: spec.instances };
  if (spec.max_memory !== null) out.mem_limit = spec.max_memory;
  if (spec.max_cpu !== null) out.cpus = spec.max_cpu / 100;
  const health = healthOf(spec);
  if (health) out.healthcheck = healthcheck(spec, health);
  if (spec.liveness && isCheck(spec.readiness)) {
    notes.add(spec, "readiness", "one healthcheck per service, taken by the liveness check");
  } else if (!isCheck(spec.readiness) && spec.readiness.kind !== "uptime") {
    notes.add(spec, "readiness", `${spec.readiness.kind} is not a check a healthcheck runs`);
  }
  const dependsOn: Record<string, { condition: string }> = {};
  for (const [name, condition] of Object.entries(spec.depends_on)) {
    const dep = byName.get(name);
    if (!dep) {
      notes.add(spec, "depends_on", `"${name}" is not among the exported apps`);
      continue;
    }
    let wanted: string = CONDITION[condition];
    if (condition === "ready" && !healthOf(dep)) {
      notes.add(spec, "depends_on", `"${name}" has no check, so ready becomes started`);
      wanted = CONDITION.started;
    }
    dependsOn[dnsName(name)] = { condition: wanted };
  }
  if (Object.keys(dependsOn).length) out.depends_on = dependsOn;
  return out;
}

function healthcheck(spec: AppSpec, check: Check | Liveness) {
  const timing = "interval_ms" in check
    ? {
      interval: `${check.interval_ms}ms`,
      timeout: `${check.timeout_ms}ms`,
      retries: check.failure_threshold,
    }
    : { interval: "10s", timeout: "2s", retries: 3, start_period: `${spec.ready_timeout_ms}ms` };
  return { test: testOf(check), ...timing };
}

/** The healthcheck's test; the image must have the tool (curl for http, bash for tcp). */
function testOf(check: Check): string[] {
  switch (check.kind) {
    case "http":
      return ["CMD", "curl", "-fsS", "-o", "/dev/null", escapeInterpolation(check.url)];
    case "tcp":
      return ["CMD", "bash", "-c", `exec 3<>/dev/tcp/${check.host}/${check.port}`];
    case "command":
      return ["CMD-SHELL", escapeInterpolation(check.command)];
  }
}

/** Compose expands `$VAR` in values; `$$` is a literal `$`. */
function escapeInterpolation(text: string): string {
  return text.replaceAll("$", "$$$$");
}
