/**
 * What `adasa reload <file>` has to do: compare the apps the daemon runs with the apps the file
 * wants, field by field. Pure.
 *
 * The rule for `base_env` (the environment of the shell that ran `adasa start`): a difference
 * there alone never restarts an app, or reloading from another terminal (other `SHLVL`,
 * `OLDPWD`, ...) would restart everything. It is reported, and so applied, only together with a
 * change of the file's `env`. An app whose only change is its instance count is a scale, not a
 * restart.
 */
import type { AppSpec } from "../protocol/mod.ts";

/** An app whose definition changed. */
export interface AppChange {
  name: string;
  /** The definition to apply. */
  spec: AppSpec;
  /** AppSpec fields that differ, in AppSpec order. */
  changed: string[];
  /** Set when the instance count changed too. */
  scale?: { from: number; to: number };
}

/** An app whose only change is its instance count. */
export interface AppScale {
  name: string;
  spec: AppSpec;
  from: number;
  to: number;
}

/** The plan of a reload. */
export interface AppDiff {
  /** New apps, in file order. */
  start: AppSpec[];
  /** Update the definition, then restart one instance at a time. */
  restart: AppChange[];
  /** Add or remove instances; the running ones are left alone. */
  scale: AppScale[];
  unchanged: string[];
  /** Apps no longer in the file (only with `prune`), in current order. */
  delete: string[];
}

/** Compares current and wanted definitions by name. */
export function diffApps(
  current: readonly AppSpec[],
  wanted: readonly AppSpec[],
  options: { prune?: boolean } = {},
): AppDiff {
  const diff: AppDiff = { start: [], restart: [], scale: [], unchanged: [], delete: [] };
  const byName = new Map(current.map((spec) => [spec.name, spec]));
  for (const spec of wanted) {
    const before = byName.get(spec.name);
    if (!before) {
      diff.start.push(spec);
      continue;
    }
    const changed = changedFields(before, spec);
    const scale = { from: before.instances, to: spec.instances };
    if (changed.length === 0) diff.unchanged.push(spec.name);
    else if (changed.length === 1 && changed[0] === "instances") {
      diff.scale.push({ name: spec.name, spec, ...scale });
    } else {
      const change: AppChange = { name: spec.name, spec, changed };
      if (changed.includes("instances")) change.scale = scale;
      diff.restart.push(change);
    }
  }
  if (options.prune) {
    const keep = new Set(wanted.map((spec) => spec.name));
    diff.delete = current.filter((spec) => !keep.has(spec.name)).map((spec) => spec.name);
  }
  return diff;
}

/** Fields of `wanted` that differ from `before`, with the base_env rule above. */
export function changedFields(before: AppSpec, wanted: AppSpec): string[] {
  const changed = (Object.keys(wanted) as Array<keyof AppSpec>).filter((key) =>
    key !== "base_env" && canonical(before[key]) !== canonical(wanted[key])
  );
  if (changed.includes("env") && canonical(before.base_env) !== canonical(wanted.base_env)) {
    changed.push("base_env");
  }
  return changed;
}

/** JSON with sorted keys, so `{a, b}` equals `{b, a}`; lists keep their order. */
function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      v !== null && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
  ) ?? "undefined";
}
