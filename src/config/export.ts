/**
 * Writes app definitions as a config file that `loadConfigFile` reads back to the same
 * definitions, so a setup moves to another machine. Every field of the settings table is
 * written, defaults too (null ones aside: "off"), so the file means the same under another
 * version's defaults. `base_env` is left out: it is the
 * environment of the shell that started the app on this machine, and the importing machine
 * supplies its own; only the app's declared `env` travels. Every `$` is written `$$`, which
 * the loader reads back as `$`, so values never expand on import.
 */
import type { AppSpec } from "../protocol/mod.ts";
import { SETTINGS } from "../model/mod.ts";
import { stringifyToml } from "./json_toml.ts";
import type { AppExtras } from "./types.ts";

/** A file format `exportApps` writes. */
export type ExportFormat = "json" | "toml";

/** Writes `specs` (and their extras, by app name, when given) as a JSON or TOML config file. */
export function exportApps(
  specs: readonly AppSpec[],
  format: ExportFormat,
  options: { extras?: Record<string, AppExtras> } = {},
): string {
  const apps = specs.map((spec) => escapeDollars(appFields(spec, options.extras?.[spec.name])));
  if (format === "toml") return stringifyToml({ apps });
  return JSON.stringify({ apps }, null, 2) + "\n";
}

function appFields(spec: AppSpec, extras: AppExtras | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const value = spec[setting.field];
    // null is "off" and TOML has none; base_env (no README line) stays on this machine.
    if (!setting.doc || value === null || value === undefined || unsetCheck(spec, setting.field)) {
      continue;
    }
    out[setting.field] = value;
  }
  // "none" keeps a null interpreter from being picked again by extension on import.
  if (spec.interpreter === null) out.interpreter = "none";
  return { ...out, ...extras };
}

/** Readiness, liveness and dependencies only when set, so older readers see no new field. */
function unsetCheck(spec: AppSpec, field: keyof AppSpec): boolean {
  const plain = spec.readiness.kind === "uptime";
  if (field === "readiness" || field === "ready_timeout_ms") return plain;
  if (field === "depends_on") return Object.keys(spec.depends_on).length === 0;
  return false;
}

function escapeDollars(value: unknown): unknown {
  if (typeof value === "string") return value.replaceAll("$", "$$$$");
  if (Array.isArray(value)) return value.map(escapeDollars);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDollars(v)]));
  }
  return value;
}
