/**
 * pm2's `~/.pm2/dump.pm2` (written by `pm2 save`): a JSON list of each process's `pm2_env`.
 * pm2 deletes `instances` and `pm_id` before writing, so an app with four instances is four
 * entries with the same name: they become one app with `instances: 4`. Values are taken as
 * written (no `${VAR}` expansion: the dump holds resolved values), and pm2's bookkeeping
 * (status, counters, ids, log paths under ~/.pm2, axm_*, vizion, ...) is skipped silently.
 */
import { AdasaError, type AppSpecInput, normalizeAppSpec } from "../protocol/mod.ts";
import { describe, FieldError } from "./_readers.ts";
import { type AppDraft, applyField, newDraft } from "./fields.ts";
import { pm2StopSignal } from "./pm2_defaults.ts";
import { parseJsonText, problemAt } from "./json_toml.ts";
import type { ConfigResult } from "./types.ts";

/** Dump field → ecosystem field, for what Adasa carries over. */
const DUMP_FIELDS: ReadonlyArray<[string, string]> = [
  ["name", "name"],
  ["pm_exec_path", "script"],
  ["args", "args"],
  ["exec_interpreter", "interpreter"],
  ["node_args", "node_args"],
  ["pm_cwd", "cwd"],
  ["autorestart", "autorestart"],
  ["max_restarts", "max_restarts"],
  ["min_uptime", "min_uptime"],
  ["restart_delay", "restart_delay"],
  ["exp_backoff_restart_delay", "exp_backoff_restart_delay"],
  ["kill_timeout", "kill_timeout"],
  ["stop_exit_codes", "stop_exit_codes"],
  ["max_memory_restart", "max_memory_restart"],
  ["cron_restart", "cron_restart"],
  ["watch", "watch"],
  ["ignore_watch", "ignore_watch"],
  ["log_date_format", "log_date_format"],
  ["time", "time"],
  ["exec_mode", "exec_mode"],
];

/** Variables pm2 puts in a process's env for itself. */
const PM2_ENV_KEYS = new Set([
  "NODE_APP_INSTANCE",
  "NODE_CHANNEL_FD",
  "NODE_CHANNEL_SERIALIZATION_MODE",
  "unique_id",
  "status",
  "name",
  "exit_code",
  "instances",
  "version",
]);

/**
 * Reads a pm2 dump. An app's `env` keeps the dump's variables except pm2's own and those with
 * the same value in `options.env` (the machine's environment supplies them as base_env).
 */
export function parsePm2Dump(
  text: string,
  path: string,
  options: { env?: Record<string, string>; cpuCount?: number } = {},
): ConfigResult {
  const result: ConfigResult = { apps: [], extras: {}, warnings: [], problems: [] };
  const parsed = parseJsonText(text);
  if (!parsed.ok) return { ...result, problems: [problemAt(path, parsed)] };
  if (!Array.isArray(parsed.data)) {
    const why = `expected a list of processes, got ${describe(parsed.data)}`;
    return { ...result, problems: [`${path}: ${why}`] };
  }
  for (const [name, group] of groupByName(parsed.data, path, result.problems)) {
    const app = dumpApp(group.entry, group.count, `[${group.index}]`, options.env ?? {});
    result.problems.push(...app.problems.map((p) => `${path}: ${p}`));
    result.warnings.push(...app.warnings.map((w) => `${path}: ${w}`));
    if (app.input) {
      result.apps.push(app.input);
      result.extras[name] = app.draft.extras;
    }
  }
  return result.problems.length ? { ...result, apps: [], extras: {} } : result;
}

type Group = { entry: Record<string, unknown>; count: number; index: number };

function groupByName(list: unknown[], path: string, problems: string[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  list.forEach((entry, index) => {
    const name = (entry as Record<string, unknown> | null)?.name;
    if (entry === null || typeof entry !== "object" || typeof name !== "string") {
      problems.push(
        `${path}: [${index}]: expected a process with a "name", got ${describe(entry)}`,
      );
      return;
    }
    const group = groups.get(name);
    if (group) group.count++;
    else groups.set(name, { entry: entry as Record<string, unknown>, count: 1, index });
  });
  return groups;
}

function dumpApp(
  entry: Record<string, unknown>,
  count: number,
  at: string,
  machineEnv: Record<string, string>,
) {
  const draft = newDraft();
  const problems: string[] = [];
  for (const [from, field] of DUMP_FIELDS) {
    const value = entry[from];
    if (isUnset(value) || (from === "exp_backoff_restart_delay" && value === 0)) continue;
    try {
      applyField(field, value, draft, 1);
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      problems.push(`${at}.${from}${error.subpath}: ${error.message}`);
    }
  }
  const input = problems.length
    ? null
    : finishDumpApp(draft, entry, count, machineEnv, at, problems);
  return { input, draft, problems, warnings: draft.warnings.map((w) => `${at}.${w}`) };
}

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === "" || value === false ||
    (Array.isArray(value) && value.length === 0);
}

function finishDumpApp(
  draft: AppDraft,
  entry: Record<string, unknown>,
  count: number,
  machineEnv: Record<string, string>,
  at: string,
  problems: string[],
): AppSpecInput | null {
  const input = {
    ...draft.spec,
    instances: count,
    env: appEnv(entry, machineEnv),
    base_env: { ...machineEnv },
  } as AppSpecInput;
  // autorestart: false is skipped as unset above; it still means "never".
  if (entry.autorestart === false) input.restart = "never";
  const pm2Signal = pm2StopSignal(draft, machineEnv, draft.warnings);
  if (pm2Signal !== null) input.stop_signal = pm2Signal;
  try {
    input.name = normalizeAppSpec(input).name;
    return input;
  } catch (error) {
    if (!(error instanceof AdasaError)) throw error;
    problems.push(`${at}: ${error.message}`);
    return null;
  }
}

function appEnv(entry: Record<string, unknown>, machineEnv: Record<string, string>) {
  const env: Record<string, string> = {};
  const raw = entry.env;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return env;
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      continue;
    }
    if (PM2_ENV_KEYS.has(key) || key === entry.name || /^(PM2_|pm_|axm_|km_)/.test(key)) continue;
    if (machineEnv[key] === String(value)) continue;
    env[key] = String(value);
  }
  return env;
}
