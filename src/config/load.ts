/**
 * `loadConfigFile`: reads a config file of any supported format into app definitions, or into
 * one line per problem. JSON (`.json`) and TOML (`.toml`) are parsed here; pm2 ecosystem files
 * in JavaScript (`.js`, `.cjs`, `.mjs`) are evaluated in a subprocess; `.pm2` is pm2's dump.
 */
import { dirname, extname, resolve } from "node:path";
import { readText } from "./_files.ts";
import { appsFromData } from "./document.ts";
import { parseJsonText, type ParseResult, parseTomlText } from "./json_toml.ts";
import { evaluateEcosystem } from "./pm2_ecosystem.ts";
import { parsePm2Dump } from "./pm2_dump.ts";
import type { ConfigResult, LoadOptions } from "./types.ts";

/** The extensions `loadConfigFile` reads. */
export const CONFIG_EXTENSIONS = [".json", ".toml", ".js", ".cjs", ".mjs", ".pm2"] as const;

/**
 * Loads the config file at `path` (relative to `options.cwd`). Never throws for a bad file:
 * its problems come back as `file: apps[i].field: message` lines, and then `apps` is empty.
 * Messages name the file as `path` was given.
 */
export async function loadConfigFile(path: string, options: LoadOptions): Promise<ConfigResult> {
  const absolute = resolve(options.cwd, path);
  const ext = extname(absolute).toLowerCase();
  const failed = (message: string): ConfigResult => ({
    apps: [],
    extras: {},
    warnings: [],
    problems: [`${path}: ${message}`],
  });
  if (!(CONFIG_EXTENSIONS as readonly string[]).includes(ext)) {
    return failed(`unknown config format "${ext}"; use ${CONFIG_EXTENSIONS.join(", ")}`);
  }
  const cpuCount = options.cpuCount ?? navigator.hardwareConcurrency ?? 1;
  if (ext === ".pm2") {
    const read = await readText(absolute);
    if (!read.ok) return failed(read.message);
    return parsePm2Dump(read.text, path, { env: options.env, cpuCount });
  }
  const parsed = await parseFile(absolute, ext, options);
  if (!parsed.ok) return failed(parsed.message);
  return await appsFromData(parsed.data, path, {
    dir: dirname(absolute),
    env: options.env,
    cpuCount,
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.strict === undefined ? {} : { strict: options.strict }),
  });
}

async function parseFile(
  absolute: string,
  ext: string,
  options: LoadOptions,
): Promise<ParseResult> {
  if (ext === ".js" || ext === ".cjs" || ext === ".mjs") {
    const read = await readText(absolute); // a clear message for a missing file, before a spawn
    if (!read.ok) return { ok: false, message: read.message };
    return await evaluateEcosystem(absolute, {
      env: options.env,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  }
  const read = await readText(absolute);
  if (!read.ok) return { ok: false, message: read.message };
  return ext === ".toml" ? parseTomlText(read.text) : parseJsonText(read.text);
}
