/**
 * A parsed config file as a whole: finds its list of apps (`apps`, or the predecessor's
 * `processes`, or a bare list), maps each app, and checks what spans apps: duplicate names and
 * a `--env` profile that no app defines. Every message gets the file's name in front.
 */
import { normalizeDependsOn } from "../protocol/mod.ts";
import { dependencyProblems } from "../model/dependencies.ts";
import { describe } from "./_readers.ts";
import { type AppContext, mapApp, type MappedApp } from "./map_app.ts";
import type { ConfigResult } from "./types.ts";

/** Top-level fields pm2 knows that Adasa does not honour: a warning naming each, never silence. */
const PM2_TOP_LEVEL: Readonly<Record<string, string>> = {
  deploy: "pm2's deploy section is not supported by Adasa; ignored",
};

/** Options of appsFromData: the app context plus strictness. */
export interface DocumentOptions extends AppContext {
  strict?: boolean;
}

/** Maps the data of the file `file` (the name used in messages). */
export async function appsFromData(
  data: unknown,
  file: string,
  options: DocumentOptions,
): Promise<ConfigResult> {
  const found = findList(data);
  if ("problem" in found) return finish(file, [], [found.problem], found.warnings, options);
  const mapped = await Promise.all(
    found.list.map((raw, i) => mapApp(raw, itemPath(found.key, i), options)),
  );
  const problems = mapped.flatMap((m) => m.problems);
  const warnings = [...found.warnings, ...mapped.flatMap((m) => m.warnings)];
  problems.push(...duplicateNames(mapped, found.key));
  if (problems.length === 0) problems.push(...dependencyErrors(mapped, found.key));
  if (options.profile !== undefined && !mapped.some((m) => m.profiles.includes(options.profile!))) {
    problems.push(
      `env_${options.profile}: no app defines it (selected with --env ${options.profile})`,
    );
  }
  return finish(file, mapped, problems, warnings, options);
}

type Found =
  | { key: string; list: unknown[]; warnings: string[] }
  | { problem: string; warnings: string[] };

/** The keys that hold the list of apps: pm2's `apps` (or `pm2`), the predecessor's `processes`. */
const LIST_KEYS = ["apps", "pm2", "processes"];

/** Fields that make a top-level map one app (pm2 takes a map without `apps` for one app). */
const APP_KEYS = ["script", "command", "cmd", "exec", "name"];

/**
 * Where the apps are, in every shape pm2 accepts: a list; `{ apps: [...] }`; `apps` (or `pm2`)
 * as one app; or the map itself as one app. Messages name them `apps[i]`, `apps` or `app`.
 */
function findList(data: unknown): Found {
  if (Array.isArray(data)) return nonEmpty("", data, []);
  if (data === null || typeof data !== "object") {
    return {
      problem: `no apps: expected { apps: [...] }, a list of apps or one app, got ${
        describe(data)
      }`,
      warnings: [],
    };
  }
  const doc = data as Record<string, unknown>;
  const keys = LIST_KEYS.filter((k) => doc[k] !== undefined);
  if (keys.length === 0 && APP_KEYS.some((k) => doc[k] !== undefined)) {
    return { key: "app", list: [doc], warnings: [] };
  }
  const warnings = Object.keys(doc)
    .filter((k) => !LIST_KEYS.includes(k))
    .map((k) =>
      `${k}: ${
        Object.hasOwn(PM2_TOP_LEVEL, k) ? PM2_TOP_LEVEL[k] : "unknown top-level field; ignored"
      }`
    );
  if (keys.length === 0) {
    return {
      problem: `apps: missing; expected a list of apps (or one app with "script")`,
      warnings,
    };
  }
  if (keys.length > 1) {
    return {
      problem: `${keys[1]}: give one of "apps", "pm2" or "processes", not several`,
      warnings,
    };
  }
  const key = keys[0]!;
  const list = doc[key];
  if (Array.isArray(list)) return nonEmpty(key, list, warnings);
  if (list !== null && typeof list === "object") return { key, list: [list], warnings };
  return { problem: `${key}: expected a list of apps or one app, got ${describe(list)}`, warnings };
}

function nonEmpty(key: string, list: unknown[], warnings: string[]): Found {
  if (list.length === 0) return { problem: `${key || "apps"}: the list is empty`, warnings };
  return { key: `${key}[]`, list, warnings };
}

/** `apps[2]` for an item of a list (`[2]` for a bare list), the key alone for a single app. */
function itemPath(key: string, i: number): string {
  return key.endsWith("[]") ? `${key.slice(0, -2)}[${i}]` : key;
}

function duplicateNames(mapped: MappedApp[], key: string): string[] {
  const first = new Map<string, number>();
  const problems: string[] = [];
  mapped.forEach((m, i) => {
    const name = m.input?.name;
    if (name === undefined) return;
    const seen = first.get(name);
    if (seen === undefined) first.set(name, i);
    else {problems.push(
        `${itemPath(key, i)}.name: duplicate name "${name}" (also ${itemPath(key, seen)})`,
      );}
  });
  return problems;
}

/** Dependencies on apps missing from the file, and cycles, each naming the apps. */
function dependencyErrors(mapped: MappedApp[], key: string): string[] {
  const nodes = mapped.map((m) => ({
    name: m.input!.name!,
    depends_on: normalizeDependsOn(m.input!.depends_on, m.input!.name!),
  }));
  return dependencyProblems(nodes).map((problem) => {
    const app = /^(?:dependency cycle: )?"([^"]+)"/.exec(problem)?.[1];
    const index = nodes.findIndex((n) => n.name === app);
    return `${itemPath(key, index)}.depends_on: ${problem}`;
  });
}

function finish(
  file: string,
  mapped: MappedApp[],
  problems: string[],
  warnings: string[],
  options: DocumentOptions,
): ConfigResult {
  const all = options.strict ? [...problems, ...warnings] : problems;
  const line = (message: string) => `${file}: ${message}`;
  if (all.length > 0) {
    return {
      apps: [],
      extras: {},
      warnings: options.strict ? [] : warnings.map(line),
      problems: all.map(line),
    };
  }
  const apps = mapped.map((m) => m.input!);
  const extras = Object.fromEntries(mapped.map((m) => [m.input!.name!, m.extras]));
  return { apps, extras, warnings: warnings.map(line), problems: [] };
}
