/** Config files on the command line: which words name one, and what the daemon needs to read it. */
import type { ConfigFileArgs } from "../../src/protocol/ops.ts";

/** pm2's rule (Common.isConfigFile): a name containing one of these is a config file. */
const PM2_CONFIG_MARKS = [".json", ".yml", ".yaml", ".config.js", ".config.cjs", ".config.mjs"];
/** Adasa's own formats besides pm2's: TOML and pm2's dump. */
const ADASA_CONFIG_ENDINGS = [".toml", ".pm2"];

/**
 * Whether `word` names a config file rather than a script: pm2's rule, so `server.js` is a
 * script and `ecosystem.config.js` a config file, whether or not the file exists (a missing one
 * is then reported by the loader).
 */
export function isConfigFile(word: string): boolean {
  return PM2_CONFIG_MARKS.some((mark) => word.includes(mark)) ||
    ADASA_CONFIG_ENDINGS.some((end) => word.endsWith(end));
}

/** The `config` argument of `start` and `reload`: the file, and this shell's cwd and env. */
export function configArg(
  path: string,
  options: { profile?: string | undefined; strict?: boolean },
): ConfigFileArgs {
  return {
    path: path.startsWith("/") ? path : `${Deno.cwd()}/${path}`,
    cwd: Deno.cwd(),
    env: Deno.env.toObject(),
    ...(options.profile ? { profile: options.profile } : {}),
    strict: options.strict === true,
  };
}
