/**
 * Validation of `depends_on` alone (the config loader checks it across a file's apps), in
 * AdasaError's terms; the value type lives in src/model/checks.ts with the settings table.
 */
import { AdasaError } from "./errors.ts";
import { type DependencyCondition, dependsOn, SettingError, type Value } from "../model/mod.ts";

function run<T>(value: Value<T>, field: string, raw: unknown): T {
  try {
    return value.parse(raw, { cpus: 1 });
  } catch (error) {
    if (!(error instanceof SettingError)) throw error;
    throw new AdasaError("INVALID_ARGUMENT", `${field}${error.subpath}: ${error.message}`);
  }
}

/** Validates `depends_on`: a list of app names (each `ready`), or a map name -> condition. */
export function normalizeDependsOn(
  raw: unknown,
  self: string,
): Record<string, DependencyCondition> {
  if (raw === undefined || raw === null) return {};
  const out = run(dependsOn, "depends_on", raw);
  if (Object.hasOwn(out, self)) {
    throw new AdasaError("INVALID_ARGUMENT", `depends_on: "${self}" cannot depend on itself`);
  }
  return out;
}
