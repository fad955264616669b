/**
 * How each setting of the settings table maps onto systemd, Docker Compose and Kubernetes, or
 * why it has none. The mapped type makes the compiler reject a setting without its row, so a new
 * setting cannot be dropped by an export silently. Which settings an app sets is derived from
 * the table's defaults (`settingsLeftOut`).
 */
import type { AppSpec } from "../protocol/mod.ts";
import { SETTINGS } from "../model/mod.ts";

/** An engine `adasa export` writes for. */
export type Engine = "systemd" | "compose" | "kubernetes";
/** Every engine. */
export const ENGINES: readonly Engine[] = ["systemd", "compose", "kubernetes"];

/** Where a setting goes in the engine's file, or why it has no equivalent there. */
export type Mapping = { to: string } | { none: string };

const to = (where: string): Mapping => ({ to: where });
const none = (why: string): Mapping => ({ none: why });

const NO_ROTATION = {
  systemd: none("journald rotates the journal"),
  compose: none("Docker's logging driver rotates the logs"),
  kubernetes: none("the kubelet rotates container logs"),
};
const PM2_LOG_FILE = {
  compose: none("the container's output goes to Docker's logs"),
  kubernetes: none("the container's output goes to the cluster's logs"),
};
const NO_WATCH = none("no engine restarts on file changes");

/** Every setting, by engine. */
export const ENGINE_MAP: { readonly [F in keyof AppSpec]: { readonly [E in Engine]: Mapping } } = {
  command: { systemd: to("ExecStart="), compose: to("command"), kubernetes: to("command/args") },
  cwd: {
    systemd: to("WorkingDirectory="),
    compose: to("working_dir, and the folder mounted at the same path"),
    kubernetes: to("workingDir"),
  },
  name: {
    systemd: to("the unit's name"),
    compose: to("the service's name"),
    kubernetes: to("metadata.name and the app label"),
  },
  args: { systemd: to("ExecStart="), compose: to("command"), kubernetes: to("args") },
  interpreter: {
    systemd: to("ExecStart="),
    compose: to("command, and the image"),
    kubernetes: to("command, and the image"),
  },
  interpreter_args: { systemd: to("ExecStart="), compose: to("command"), kubernetes: to("args") },
  shell: {
    systemd: to("ExecStart=/bin/sh -c"),
    compose: to("command: /bin/sh -c"),
    kubernetes: to("command: /bin/sh -c"),
  },
  env: {
    systemd: to("Environment="),
    compose: to("environment"),
    kubernetes: to("a ConfigMap, read with envFrom"),
  },
  base_env: {
    systemd: none("the environment of the shell that ran `adasa start` stays on this machine"),
    compose: none("the environment of the shell that ran `adasa start` stays on this machine"),
    kubernetes: none("the environment of the shell that ran `adasa start` stays on this machine"),
  },
  instances: {
    systemd: to("a template unit NAME@.service and NAME.target wanting each instance"),
    compose: to("deploy.replicas"),
    kubernetes: to("spec.replicas"),
  },
  exec_mode: {
    systemd: none("Node's cluster module needs Adasa's runtime; instances run as processes"),
    compose: none("Node's cluster module needs Adasa's runtime; replicas run as containers"),
    kubernetes: none("Node's cluster module needs Adasa's runtime; replicas run as pods"),
  },
  instance_var: {
    systemd: to("Environment=VAR=%i in the template unit"),
    compose: none("replicas have no index"),
    kubernetes: none("the pods of a Deployment have no index"),
  },
  increment_var: {
    systemd: none("a unit cannot add the instance index to a variable"),
    compose: none("replicas have no index"),
    kubernetes: none("the pods of a Deployment have no index"),
  },
  port: {
    systemd: to("Environment=PORT="),
    compose: to("environment PORT"),
    kubernetes: to("PORT, containerPort and a Service"),
  },
  restart: {
    systemd: to("Restart="),
    compose: to("restart"),
    kubernetes: none("a Deployment's pods always restart (restartPolicy: Always)"),
  },
  stop_exit_codes: {
    systemd: to("SuccessExitStatus="),
    compose: none("Compose's on-failure restarts on every non-zero exit"),
    kubernetes: none("a Deployment's pods always restart"),
  },
  min_uptime_ms: {
    systemd: none("systemd counts a start as done when the process is spawned"),
    compose: none("Compose counts a container as started when it runs"),
    kubernetes: to("minReadySeconds"),
  },
  max_restarts: {
    systemd: none("systemd limits starts per time window (StartLimitBurst=)"),
    compose: none("Compose restarts without a limit of unstable restarts"),
    kubernetes: none("the kubelet restarts with back-off, without a limit"),
  },
  restart_delay_ms: {
    systemd: to("RestartSec="),
    compose: none("Docker's restart delay is its own back-off"),
    kubernetes: none("the kubelet's restart delay is its own back-off"),
  },
  backoff_initial_ms: {
    systemd: none("systemd 252 has no growing restart delay"),
    compose: none("Docker's restart back-off is fixed"),
    kubernetes: none("the kubelet's restart back-off is fixed"),
  },
  backoff_max_ms: {
    systemd: none("systemd 252 has no growing restart delay"),
    compose: none("Docker's restart back-off is fixed"),
    kubernetes: none("the kubelet's restart back-off is fixed"),
  },
  stop_signal: {
    systemd: to("KillSignal="),
    compose: to("stop_signal"),
    kubernetes: none("the kubelet stops a container with the image's STOPSIGNAL (SIGTERM)"),
  },
  kill_timeout_ms: {
    systemd: to("TimeoutStopSec="),
    compose: to("stop_grace_period"),
    kubernetes: to("terminationGracePeriodSeconds"),
  },
  max_memory: {
    systemd: to("MemoryMax="),
    compose: to("mem_limit"),
    kubernetes: to("resources.limits.memory"),
  },
  max_cpu: {
    systemd: to("CPUQuota="),
    compose: to("cpus"),
    kubernetes: to("resources.limits.cpu"),
  },
  limit_action: {
    systemd: none("the kernel enforces MemoryMax= and CPUQuota= itself"),
    compose: none("the kernel enforces mem_limit and cpus itself"),
    kubernetes: none("the kernel enforces resources.limits itself"),
  },
  limit_samples: {
    systemd: none("the kernel enforces the limits at once"),
    compose: none("the kernel enforces the limits at once"),
    kubernetes: none("the kernel enforces the limits at once"),
  },
  cron_restart: {
    systemd: to("a timer NAME-cron-restart.timer that restarts the unit"),
    compose: none("Compose has no schedule"),
    kubernetes: none("a Deployment has no schedule (a CronJob running `kubectl rollout restart`)"),
  },
  watch: { systemd: NO_WATCH, compose: NO_WATCH, kubernetes: NO_WATCH },
  ignore_watch: { systemd: NO_WATCH, compose: NO_WATCH, kubernetes: NO_WATCH },
  log_rotate_bytes: NO_ROTATION,
  log_retain_files: NO_ROTATION,
  log_retain_bytes: NO_ROTATION,
  out_file: { systemd: to("StandardOutput=append:"), ...PM2_LOG_FILE },
  error_file: { systemd: to("StandardError=append:"), ...PM2_LOG_FILE },
  log_file: { systemd: to("StandardOutput= and StandardError=append:"), ...PM2_LOG_FILE },
  merge_logs: {
    systemd: none("one unit writes one file; a template unit's instances share it"),
    ...PM2_LOG_FILE,
  },
  log_date_format: {
    systemd: none("journald stamps each line itself"),
    ...PM2_LOG_FILE,
  },
  time: { systemd: none("journald stamps each line itself"), ...PM2_LOG_FILE },
  readiness: {
    systemd: none("Adasa's readiness checks have no unit setting (Type=notify needs sd_notify)"),
    compose: to("healthcheck, when there is no liveness check (http, tcp, command)"),
    kubernetes: to("readinessProbe (http, tcp, command)"),
  },
  ready_timeout_ms: {
    systemd: none("systemd waits for no readiness check"),
    compose: to("healthcheck.start_period"),
    kubernetes: to("readinessProbe.initialDelaySeconds plus its failures"),
  },
  liveness: {
    systemd: none("systemd runs no periodic check"),
    compose: to("healthcheck (Compose marks the container unhealthy; it does not restart it)"),
    kubernetes: to("livenessProbe"),
  },
  shutdown_with_message: {
    systemd: none("a unit stops its program with a signal"),
    compose: none("a container is stopped with a signal"),
    kubernetes: none("a pod is stopped with a signal"),
  },
  depends_on: {
    systemd: to("Requires= and After="),
    compose: to("depends_on with conditions"),
    kubernetes: none("Kubernetes starts pods in no order (use an init container)"),
  },
};

/** A setting the app sets (not its default) that has no equivalent in `engine`. */
export interface LeftOut {
  field: keyof AppSpec;
  why: string;
}

/**
 * The settings of `spec` away from their defaults that `engine` has no equivalent for, found
 * from the settings table's defaults.
 */
export function settingsLeftOut(spec: AppSpec, engine: Engine): LeftOut[] {
  const out: LeftOut[] = [];
  const before: Partial<AppSpec> = {};
  for (const setting of SETTINGS) {
    const value = spec[setting.field];
    const fallback = setting.fallbackOf ? setting.fallbackOf(before) : setting.fallback;
    (before as Record<string, unknown>)[setting.field] = value;
    const mapping = ENGINE_MAP[setting.field][engine];
    // A field without a README line is not written by users (base_env): the file's header says so.
    if (!setting.doc || !("none" in mapping) || isDefault(value, fallback)) continue;
    out.push({ field: setting.field, why: mapping.none });
  }
  return out;
}

function isDefault(value: unknown, fallback: unknown): boolean {
  if (fallback === undefined) return value === undefined;
  if (JSON.stringify(value) === JSON.stringify(fallback)) return true;
  // An empty map or list is as good as none.
  return typeof value === "object" && value !== null && Object.keys(value).length === 0 &&
    typeof fallback === "object" && fallback !== null && Object.keys(fallback).length === 0;
}
