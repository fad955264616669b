/**
 * pm2's defaults for apps written for pm2. pm2 has no per-app stop signal: it stops every
 * process with SIGINT, or with the signal named by `PM2_KILL_SIGNAL` in the environment pm2
 * ran in (lib/God/Methods.js, constants.js). An app written for pm2 therefore handles SIGINT,
 * often only SIGINT, and would lose its graceful shutdown to Adasa's SIGTERM.
 */
import { SIGNALS } from "../model/names.ts";
import type { AppDraft } from "./fields.ts";

/** pm2's keys for the program; an app that names its program so was written for pm2. */
const PM2_PROGRAM_KEYS = new Set(["script", "exec", "cmd"]);

/**
 * The stop signal pm2 would use for the app of `draft`, or null when the app sets its own
 * `stop_signal` or names its program with Adasa's `command`. A `PM2_KILL_SIGNAL` that is not a
 * signal Adasa knows is reported in `warnings` and SIGINT is used, as pm2 falls back.
 */
export function pm2StopSignal(
  draft: AppDraft,
  env: Record<string, string>,
  warnings: string[],
): string | null {
  if (draft.spec.stop_signal !== undefined) return null;
  if (!PM2_PROGRAM_KEYS.has(draft.source.command ?? "")) return null;
  const named = env.PM2_KILL_SIGNAL;
  if (named === undefined || named === "") return "SIGINT";
  if ((SIGNALS as readonly string[]).includes(named)) return named;
  warnings.push(`PM2_KILL_SIGNAL: unknown signal "${named}"; stopping with SIGINT, as pm2`);
  return "SIGINT";
}
