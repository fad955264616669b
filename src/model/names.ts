/**
 * Names a user gives: app names (one predicate, used for every way an app is named and for its
 * log folder) and signal names.
 */
import { SettingError } from "./values.ts";

/**
 * Why `name` cannot be an app name, or null when it can: 1 to 64 characters; no `/`, `\`,
 * whitespace, control, format (zero-width, bidi override) characters; no `..`; not starting
 * with `-` or `.`; not `all`; not all digits (those are ids). The log folder is named after the
 * app, so a name that passes is always one plain folder inside the logs folder.
 */
export function appNameProblem(name: string): string | null {
  if (name.length === 0) return "it is empty";
  if (name.length > 64) return "longer than 64 characters";
  // \p{Cc} includes the C1 controls too: U+009B is CSI, which terminals read as ESC [.
  if (/[\s\p{Cc}]/u.test(name)) return "contains whitespace or control characters";
  // \p{Cf}: zero-width spaces and joiners, bidi overrides and isolates, which hide or reorder
  // what a terminal shows.
  if (/\p{Cf}/u.test(name)) return "contains invisible or bidi control characters";
  if (name.includes("/") || name.includes("\\")) return 'contains "/" or "\\"';
  if (name.includes("..")) return 'contains ".."';
  if (name.startsWith("-") || name.startsWith(".")) return 'starts with "-" or "."';
  if (name === "all") return '"all" means every app';
  if (/^\d+$/.test(name)) return "all digits would read as an instance id";
  return null;
}

/** The default name of an app: the base name of its script without extension. */
export function defaultAppName(command: string): string {
  const base = command.split("/").filter(Boolean).pop() ?? command;
  const stem = base.replace(/\.(m?js|cjs|ts|mts|py|sh)$/, "");
  return stem.replace(/[\s\p{Cc}\p{Cf}\\]+/gu, "_").replace(/^[-.]+/, "").slice(0, 64) || "app";
}

/** The signals a user may name (stop signal, `adasa signal`). */
export const SIGNALS = [
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGKILL",
  "SIGUSR1",
  "SIGUSR2",
  "SIGTERM",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGWINCH",
  "SIGALRM",
  "SIGPWR",
] as const;
/** A signal name a user may use. */
export type SignalName = (typeof SIGNALS)[number];

/**
 * Normalises a signal given as `TERM`, `SIGTERM` or `sigterm`.
 *
 * @throws {SettingError} for an unknown signal
 */
export function signalName(text: string): SignalName {
  const upper = text.toUpperCase();
  const name = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  if (!(SIGNALS as readonly string[]).includes(name)) {
    throw new SettingError(`unknown signal "${text}"; use one of ${SIGNALS.join(", ")}`);
  }
  return name as SignalName;
}
