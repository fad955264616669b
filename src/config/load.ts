/**
 * `loadConfigFile`: reads a config file of any supported format into app definitions, or into
 * one line per problem. JSON (`.json`, with comments as pm2 allows), YAML (`.yml`, `.yaml`)
 * and TOML (`.toml`) are parsed here; pm2 ecosystem files in JavaScript (`.js`, `.cjs`,
 * `.mjs`) are evaluated in a confined subprocess; `.pm2` is pm2's dump.
 */
import { basename, extname, resolve } from "node:path";
import { readText } from "./_files.ts";
import { appsFromData } from "./document.ts";
import { parseJsonText, type ParseResult, parseTomlText, problemAt } from "./json_toml.ts";
import { evaluateEcosystem } from "./pm2_ecosystem.ts";
import { parsePm2Dump } from "./pm2_dump.ts";
import { parseYamlText } from "./yaml.ts";
import type { ConfigResult, LoadOptions } from "./types.ts";

/** The extensions `loadConfigFile` reads. */
export const CONFIG_EXTENSIONS = [
  ".json",
  ".json5",
  ".jsonc",
  ".yml",
  ".yaml",
  ".toml",
  ".js",
  ".cjs",
  ".mjs",
  ".pm2",
] as const;

type Format = "json" | "yaml" | "toml" | "js" | "pm2";

const BY_EXTENSION: Record<(typeof CONFIG_EXTENSIONS)[number], Format> = {
  ".json": "json",
  ".json5": "json",
  ".jsonc": "json",
  ".yml": "yaml",
  ".yaml": "yaml",
  ".toml": "toml",
  ".js": "js",
  ".cjs": "js",
  ".mjs": "js",
  ".pm2": "pm2",
};

/**
 * The format of a file name: by its extension, else by pm2's rule (a name containing `.json`
 * is JSON, `.yml`/`.yaml` YAML, so `process.json.prod` is JSON as in pm2); null for neither.
 */
export function configFormat(path: string): Format | null {
  const ext = extname(path).toLowerCase() as keyof typeof BY_EXTENSION;
  if (BY_EXTENSION[ext]) return BY_EXTENSION[ext];
  const name = basename(path).toLowerCase();
  if (name.includes(".json")) return "json";
  if (name.includes(".yml") || name.includes(".yaml")) return "yaml";
  return null;
}

/**
 * Loads the config file at `path` (relative to `options.cwd`). Never throws for a bad file:
 * its problems come back as `file: apps[i].field: message` lines (`file:line:col: ...` for a
 * syntax error), and then `apps` is empty. Messages name the file as `path` was given.
 * Relative paths inside the file (cwd, script, env_file) are resolved from `options.cwd`, the
 * folder `adasa start` runs in, as pm2 resolves them, not from the file's folder.
 */
export async function loadConfigFile(path: string, options: LoadOptions): Promise<ConfigResult> {
  const absolute = resolve(options.cwd, path);
  const failed = (failure: { message: string; at?: { line: number; column: number } }) => ({
    apps: [],
    extras: {},
    warnings: [],
    problems: [problemAt(path, failure)],
  });
  const format = configFormat(absolute);
  if (format === null) {
    const ext = extname(absolute) || basename(absolute);
    return failed({
      message: `unknown config format "${ext}"; use ${CONFIG_EXTENSIONS.join(", ")}`,
    });
  }
  const cpuCount = options.cpuCount ?? navigator.hardwareConcurrency ?? 1;
  const read = await readText(absolute); // a clear message for a missing file, before a spawn
  if (!read.ok) return failed(read);
  if (format === "pm2") return parsePm2Dump(read.text, path, { env: options.env, cpuCount });
  const parsed = await parseFile(absolute, format, read.text, options);
  if (!parsed.ok) return failed(parsed);
  return await appsFromData(parsed.data, path, {
    dir: options.cwd,
    env: options.env,
    cpuCount,
    pm2Defaults: format !== "toml",
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.strict === undefined ? {} : { strict: options.strict }),
  });
}

async function parseFile(
  absolute: string,
  format: Exclude<Format, "pm2">,
  text: string,
  options: LoadOptions,
): Promise<ParseResult> {
  switch (format) {
    case "js":
      return await evaluateEcosystem(absolute, {
        env: options.env,
        cwd: options.cwd,
        ...(options.hidden === undefined ? {} : { hidden: options.hidden }),
        ...(options.namespaces === undefined ? {} : { namespaces: options.namespaces }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
    case "yaml":
      return parseYamlText(text);
    case "toml":
      return parseTomlText(text);
    case "json":
      return parseJsonText(text);
  }
}
