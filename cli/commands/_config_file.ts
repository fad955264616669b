/** Config files on the command line: which words name one, and what the daemon needs to read it. */
import type { ConfigFileArgs } from "../../src/protocol/ops.ts";

const CONFIG_EXTENSIONS = [".json", ".toml", ".js", ".cjs", ".mjs", ".pm2"];

/** Whether `word` is an existing file with a config extension. */
export function isConfigFile(word: string): boolean {
  if (!CONFIG_EXTENSIONS.some((ext) => word.endsWith(ext))) return false;
  try {
    return Deno.statSync(word).isFile;
  } catch {
    return false;
  }
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
