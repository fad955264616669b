/**
 * @module
 * App definitions from files. Owns the config formats Adasa reads — JSON (with comments),
 * YAML and TOML with an `apps` list (or the predecessor's `[[processes]]`), pm2 ecosystem
 * files (`.js`, `.cjs`, `.mjs`, `.json`, `.yml`) in every shape pm2 accepts, and pm2's
 * `dump.pm2` — with `${VAR}` expansion, `.env` files and `--env` profiles; the plan of a
 * reload (`diffApps`); and exports that move a setup to another machine (`exportApps`). It may
 * import `src/protocol` only: the daemon and the CLI call it, never the other way round.
 * JavaScript ecosystem files run in a confined Deno subprocess (pm2_ecosystem.ts), never in
 * the calling process.
 *
 * @example
 * ```ts
 * import { diffApps, loadConfigFile } from "./mod.ts";
 * const result = await loadConfigFile("ecosystem.config.js", {
 *   cwd: Deno.cwd(),
 *   env: Deno.env.toObject(),
 *   profile: "production",
 * });
 * if (result.problems.length) throw new Error(result.problems.join("\n"));
 * // The daemon turns each input into an AppSpec (interpreter by extension), then:
 * // const plan = diffApps(currentSpecs, wantedSpecs, { prune: true });
 * ```
 */
export { loadConfigFile } from "./load.ts";
export type { AppExtras, ConfigResult, LoadOptions } from "./types.ts";
export { type AppChange, type AppDiff, type AppScale, changedFields, diffApps } from "./diff.ts";
export { exportApps, type ExportFormat } from "./export.ts";
export { parsePm2Dump } from "./pm2_dump.ts";
