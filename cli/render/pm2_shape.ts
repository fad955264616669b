/**
 * Adasa's instances in the shape of pm2's `jlist`, so a pm2 user's script that reads
 * `name`, `pm_id`, `pid`, `pm2_env.status` or `monit.memory` keeps working. Pure.
 * Only the fields Adasa has a meaning for are filled; pm2's internals (axm_*, vizion, ...)
 * are left out.
 */
import type { Description } from "../../src/protocol/ops.ts";

/** pm2's status word for an Adasa state. */
const PM2_STATUS: Readonly<Record<string, string>> = {
  launching: "launching",
  online: "online",
  reloading: "online",
  stopping: "stopping",
  waiting: "waiting restart",
  exited: "stopped",
  stopped: "stopped",
  errored: "errored",
};

/** One instance as pm2's jlist prints one process. */
export interface Pm2Process {
  pid: number;
  name: string;
  pm_id: number;
  monit: { memory: number; cpu: number };
  pm2_env: Record<string, unknown>;
}

export function toPm2Process(d: Description): Pm2Process {
  const spec = d.spec;
  const interpreter = typeof spec.interpreter === "string" ? spec.interpreter : "none";
  const env = (spec.env ?? {}) as Record<string, string>;
  return {
    pid: d.pid ?? 0,
    name: d.name,
    pm_id: d.id,
    monit: { memory: d.memory ?? 0, cpu: d.cpu ?? 0 },
    pm2_env: {
      name: d.name,
      pm_id: d.id,
      status: PM2_STATUS[d.status] ?? d.status,
      adasa_status: d.status,
      restart_time: d.restarts,
      unstable_restarts: d.unstable_restarts,
      pm_uptime: d.started_at ?? 0,
      created_at: d.recent_events.at(-1)?.at ?? d.started_at ?? 0,
      exec_mode: spec.exec_mode === "cluster" ? "cluster_mode" : "fork_mode",
      instances: spec.instances,
      NODE_APP_INSTANCE: d.instance,
      pm_cwd: spec.cwd,
      pm_exec_path: spec.command,
      exec_interpreter: interpreter,
      args: spec.args,
      node_args: spec.interpreter_args,
      autorestart: spec.restart !== "never",
      kill_timeout: spec.kill_timeout_ms,
      min_uptime: spec.min_uptime_ms,
      max_restarts: spec.max_restarts,
      restart_delay: spec.restart_delay_ms,
      pm_out_log_path: spec.out_file ?? d.logs,
      pm_err_log_path: spec.error_file ?? d.logs,
      exit_code: d.exit_code,
      env: { ...env, NODE_APP_INSTANCE: String(d.instance) },
    },
  };
}
