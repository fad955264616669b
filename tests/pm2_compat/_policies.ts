/**
 * The policies of an app in one vocabulary for both managers (pm2's names, ms and bytes),
 * with pm2's defaults where its file says nothing: restart on exit, SIGINT then SIGKILL after
 * 1600 ms, 16 unstable restarts, 1000 ms min uptime, no restart delay.
 */

export interface Policies {
  exec_mode: string;
  autorestart: boolean;
  kill_timeout: number;
  stop_signal: string;
  max_restarts: number;
  min_uptime: number;
  restart_delay: number;
  max_memory_restart: number | null;
  cron_restart: string | null;
  watch: boolean;
}

/** From pm2's `pm2_env` of one process. */
export function pm2Policies(env: Record<string, unknown>): Policies {
  return {
    exec_mode: env.exec_mode === "cluster_mode" ? "cluster" : "fork",
    autorestart: env.autorestart !== false,
    kill_timeout: Number(env.kill_timeout ?? 1600),
    stop_signal: typeof env.kill_signal === "string" ? env.kill_signal : "SIGINT",
    max_restarts: Number(env.max_restarts ?? 16),
    min_uptime: duration(env.min_uptime, 1000),
    restart_delay: Number(env.restart_delay ?? 0),
    max_memory_restart: env.max_memory_restart === undefined
      ? null
      : Number(env.max_memory_restart),
    cron_restart: typeof env.cron_restart === "string" ? env.cron_restart : null,
    watch: env.watch === true || Array.isArray(env.watch),
  };
}

/** From an Adasa app spec (as `describe` returns it). */
export function adasaPolicies(app: object): Policies {
  const spec = app as Record<string, unknown>;
  return {
    exec_mode: spec.exec_mode === "cluster" ? "cluster" : "fork",
    autorestart: spec.restart !== "never",
    kill_timeout: Number(spec.kill_timeout_ms),
    stop_signal: String(spec.stop_signal),
    max_restarts: Number(spec.max_restarts),
    min_uptime: Number(spec.min_uptime_ms),
    restart_delay: Number(spec.restart_delay_ms),
    max_memory_restart: typeof spec.max_memory === "number" ? spec.max_memory : null,
    cron_restart: typeof spec.cron_restart === "string" ? spec.cron_restart : null,
    watch: Array.isArray(spec.watch),
  };
}

function duration(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "number") return value;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(String(value));
  if (!m) return fallback;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"] ?? 1;
  return Number(m[1]) * unit;
}
