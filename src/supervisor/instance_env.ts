/**
 * The environment of one instance: the app's variables, then what pm2 sets in every process
 * it starts (God.injectVariables, ForkMode's spawn env), so apps written for pm2 find them:
 * `NODE_APP_INSTANCE` (or the app's `instance_var`), `increment_var`, `PORT` from `port`,
 * `pm_id`, `name`, `exec_mode`, `instances`, `pm_cwd`, `pm_exec_path`, `restart_time`.
 */
import type { AppSpec } from "../protocol/mod.ts";

/** Which instance, as the environment names it. */
export interface InstanceIds {
  /** The daemon-wide id (pm2's pm_id). */
  id: number;
  /** 0 to instances - 1 within the app. */
  index: number;
  restarts: number;
}

/** The whole environment of a spawn of this instance, before the daemon's own tag. */
export function instanceEnvironment(spec: AppSpec, ids: InstanceIds): Record<string, string> {
  const env: Record<string, string> = { ...spec.base_env, ...spec.env };
  // pm2 sets PORT from `port` in the app's env, so an explicit env.PORT loses to it.
  if (spec.port !== null) env.PORT = String(spec.port);
  if (spec.increment_var) {
    env[spec.increment_var] = String((Number(env[spec.increment_var]) || 0) + ids.index);
  }
  return {
    ...env,
    pm_id: String(ids.id),
    name: spec.name,
    exec_mode: spec.exec_mode === "cluster" ? "cluster_mode" : "fork_mode",
    instances: String(spec.instances),
    pm_cwd: spec.cwd,
    pm_exec_path: execPath(spec),
    restart_time: String(ids.restarts),
    [spec.instance_var]: String(ids.index),
    ADASA_ID: String(ids.id),
    ADASA_NAME: spec.name,
    ADASA_INSTANCE: String(ids.index),
  };
}

/** The script's absolute path, as pm2's pm_exec_path. */
function execPath(spec: AppSpec): string {
  if (spec.shell || spec.command.startsWith("/")) return spec.command;
  if (!spec.interpreter && !spec.command.includes("/")) return spec.command;
  return `${spec.cwd.replace(/\/$/, "")}/${spec.command}`;
}
