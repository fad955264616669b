/** Picks the interpreter of a script by its extension, the way pm2 users expect. */

const BY_EXTENSION: ReadonlyArray<[RegExp, string, readonly string[]]> = [
  [/\.(js|mjs|cjs)$/, "node", []],
  [/\.(ts|mts)$/, "deno", ["run", "--allow-all"]],
  [/\.py$/, "python3", []],
  [/\.sh$/, "sh", []],
];

/**
 * The interpreter and its arguments for `command`, or null to execute it directly
 * (an executable, or a command found in PATH).
 */
export function interpreterFor(command: string): { interpreter: string; args: string[] } | null {
  for (const [pattern, interpreter, args] of BY_EXTENSION) {
    if (pattern.test(command)) return { interpreter, args: [...args] };
  }
  return null;
}
