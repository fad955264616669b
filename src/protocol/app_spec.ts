/**
 * The one place where an app definition is validated and given its defaults, on the daemon's
 * side of the wire: the settings table of src/model does the work; this puts its problems in
 * AdasaError's terms and has croner check cron patterns. Used by the daemon for `start`, by the
 * config loaders, and for each definition read back from the database.
 */
import { AdasaError } from "./errors.ts";
import {
  appNameProblem,
  type AppSpec,
  buildSpec,
  SettingError,
  SETTINGS,
  type SignalName,
  signalName,
  SpecError,
} from "../model/mod.ts";
import { cronProblem } from "../model/cron.ts";

export { defaultAppName, MAX_INSTANCES, type SignalName, SIGNALS } from "../model/mod.ts";

const FALLBACKS = Object.fromEntries(
  SETTINGS.filter((s) => s.fallback !== undefined).map((s) => [s.field, s.fallback]),
);

/** Defaults, from the settings table (documented in the README's table, checked by a test). */
export const SPEC_DEFAULTS = {
  ...FALLBACKS,
  backoff_max_ms: 15_000,
  ready_timeout_ms: 30_000,
  /** ready_timeout_ms of `readiness: message` (pm2's listen_timeout default for wait_ready). */
  message_ready_timeout_ms: 3_000,
} as Readonly<Omit<AppSpec, "name" | "command" | "cwd">> & { message_ready_timeout_ms: number };

/**
 * Normalises a signal given as `TERM`, `SIGTERM` or `sigterm`.
 *
 * @throws {AdasaError} INVALID_ARGUMENT for an unknown signal
 */
export function parseSignal(text: string): SignalName {
  try {
    return signalName(text);
  } catch (error) {
    if (!(error instanceof SettingError)) throw error;
    throw new AdasaError("INVALID_ARGUMENT", error.message.replace(/^u/, "U"));
  }
}

/**
 * Checks an app name by the one predicate (src/model/names.ts), which the log folder relies on.
 *
 * @throws {AdasaError} INVALID_ARGUMENT naming the problem
 */
export function validateAppName(name: string): string {
  const problem = appNameProblem(name);
  if (problem) {
    throw new AdasaError(
      "INVALID_ARGUMENT",
      `Invalid app name ${JSON.stringify(name)}: ${problem}`,
    );
  }
  return name;
}

/** What a client sends to create an app: the command and any fields it wants to set. */
export type AppSpecInput = Partial<AppSpec> & { command: string };

/**
 * Validates an app definition from a client or a config file and fills in the defaults.
 *
 * @throws {AdasaError} INVALID_ARGUMENT naming the first bad field (`field: message`)
 */
export function normalizeAppSpec(raw: unknown): AppSpec {
  let spec: AppSpec;
  try {
    spec = buildSpec(raw);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    throw new AdasaError("INVALID_ARGUMENT", error.field === "name" ? error.message : error.line);
  }
  const cron = spec.cron_restart === null ? null : cronProblem(spec.cron_restart);
  if (cron !== null) {
    throw new AdasaError(
      "INVALID_ARGUMENT",
      `cron_restart: invalid cron pattern ${JSON.stringify(spec.cron_restart)}: ${cron}`,
    );
  }
  return spec;
}

/**
 * Checks a definition read back from the database, after filling the fields later versions
 * added: what the daemon calls on each stored spec, so one bad row is named, not obeyed.
 *
 * @throws {AdasaError} INVALID_ARGUMENT: `stored app "name": field: message`
 */
export function checkStoredSpec(stored: Record<string, unknown>): AppSpec {
  try {
    return normalizeAppSpec(upgradeStoredSpec(stored));
  } catch (error) {
    if (!(error instanceof AdasaError)) throw error;
    throw new AdasaError(
      "INVALID_ARGUMENT",
      `stored app ${JSON.stringify(String(stored.name))}: ${error.message}`,
    );
  }
}

/**
 * Fills fields that later versions added to a definition stored by an earlier one, so an old
 * database keeps working after an upgrade.
 */
export function upgradeStoredSpec(stored: Record<string, unknown>): AppSpec {
  const readiness = stored.readiness as { kind?: string } | undefined;
  return {
    ...FALLBACKS,
    ready_timeout_ms: readiness?.kind === "message"
      ? SPEC_DEFAULTS.message_ready_timeout_ms
      : SPEC_DEFAULTS.ready_timeout_ms,
    backoff_max_ms: SPEC_DEFAULTS.backoff_max_ms,
    ...stored,
  } as unknown as AppSpec;
}
