/**
 * Builds an AppSpec from an input by the settings table: each field parsed by its value type,
 * defaulted, checked against the fields before it and completed (relative paths against
 * `cwd`). protocol/app_spec.ts wraps it for the wire and for stored definitions.
 */
import type { AppSpec } from "./app_spec.ts";
import { appNameProblem, defaultAppName } from "./names.ts";
import { type Setting, SETTINGS } from "./settings.ts";
import { describe, type ParseContext, SettingError } from "./values.ts";

/** A bad field of a definition: `field` is the AppSpec name, `subpath` goes after it. */
export class SpecError extends SettingError {
  override name = "SpecError";
  constructor(readonly field: string, message: string, subpath = "") {
    super(message, subpath);
  }
  /** `field.sub: message`, the one-line form. */
  get line(): string {
    return `${this.field}${this.subpath}: ${this.message}`;
  }
}

/** What `instances: "max"` means here. */
export function cpuCount(): number {
  return Math.max(1, navigator.hardwareConcurrency || 1);
}

function read(setting: Setting, raw: unknown, spec: Partial<AppSpec>, ctx: ParseContext): unknown {
  const field = setting.field;
  let value: unknown;
  try {
    value = raw === undefined ? undefined : setting.value.parse(raw, ctx);
  } catch (error) {
    if (error instanceof SettingError) throw new SpecError(field, error.message, error.subpath);
    throw error;
  }
  if (value === undefined) {
    value = setting.fallbackOf ? setting.fallbackOf(spec) : setting.fallback;
    if (value === undefined && field !== "name") {
      throw new SpecError(field, `missing; expected ${setting.value.expected}`);
    }
  }
  const problem = value === undefined ? null : setting.check?.(value, spec) ?? null;
  if (problem) throw new SpecError(field, `${problem}, got ${describe(raw ?? value)}`);
  return setting.resolve && value !== undefined ? setting.resolve(value, spec) : value;
}

/**
 * Validates a definition and fills in the defaults. Null means "not given" for every field.
 *
 * @throws {SpecError} naming the first bad field
 */
export function buildSpec(raw: unknown, ctx: ParseContext = { cpus: cpuCount() }): AppSpec {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new SpecError("app", `expected a map, got ${describe(raw)}`);
  }
  const input = raw as Record<string, unknown>;
  const spec: Partial<AppSpec> = {};
  for (const setting of SETTINGS) {
    const given = input[setting.field];
    const value = read(
      setting,
      given === null && setting.fallback !== null ? undefined : given,
      spec,
      ctx,
    );
    if (setting.field === "name") {
      const name = value === undefined ? defaultAppName(spec.command!) : String(value);
      const problem = appNameProblem(name);
      if (problem) {
        throw new SpecError("name", `Invalid app name ${JSON.stringify(name)}: ${problem}`);
      }
      spec.name = name;
    } else {
      (spec as Record<string, unknown>)[setting.field] = value;
    }
  }
  return spec as AppSpec;
}
