/**
 * Validation of the readiness, liveness and dependency fields alone, in AdasaError's terms;
 * the value types live in src/model/checks.ts with the rest of the settings table.
 */
import { AdasaError } from "./errors.ts";
import {
  type DependencyCondition,
  dependsOn,
  type Liveness,
  liveness,
  type Readiness,
  readiness,
  SettingError,
  type Value,
} from "../model/mod.ts";

export { LIVENESS_DEFAULTS } from "../model/mod.ts";

function run<T>(value: Value<T>, field: string, raw: unknown): T {
  try {
    return value.parse(raw, { cpus: 1 });
  } catch (error) {
    if (!(error instanceof SettingError)) throw error;
    throw new AdasaError("INVALID_ARGUMENT", `${field}${error.subpath}: ${error.message}`);
  }
}

/** Validates `readiness` (default `{ kind: "uptime" }`). */
export function normalizeReadiness(raw: unknown): Readiness {
  return raw === undefined || raw === null ? { kind: "uptime" } : run(readiness, "readiness", raw);
}

/** Validates `liveness` (default null: no check). */
export function normalizeLiveness(raw: unknown): Liveness | null {
  return raw === undefined ? null : run(liveness, "liveness", raw);
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
