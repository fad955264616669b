/** Picks the interpreter of a script by its extension, the way pm2 users expect. */

const BY_EXTENSION: ReadonlyArray<[RegExp, string, readonly string[]]> = [
  [/\.(js|mjs|cjs)$/, "node", []],
  [/\.(ts|mts)$/, "deno", ["run", "--allow-all"]],
  [/\.py$/, "python3", []],
  // pm2's interpreter.json: bash runs `.sh` scripts (their bashisms work); sh where bash is missing.
  [/\.sh$/, "bash", []],
];

/** bash where the machine has it, else sh: a minimal container image may have only sh. */
const BASH = ["/bin/bash", "/usr/bin/bash"].some(isFile) ? "bash" : "sh";

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false; // not there (or unreadable): not this one
  }
}

/** `#!/usr/bin/env node`, `#!/usr/bin/node`, `#!/usr/bin/env -S node --flag`. */
const NODE_SHEBANG = /^#!\s*\S*?(\/env(\s+-\S+)*\s+|\/)(node|nodejs)(\s|$)/;

/**
 * The interpreter and its arguments for `command`, or null to execute it directly
 * (an executable, or a command found in PATH). With `cwd`, a script without a known extension
 * whose first line is a Node shebang (Express's `bin/www`) is run by node, as pm2 runs it, so
 * the Node runtime (process.send, cluster mode) applies to it.
 */
export function interpreterFor(
  command: string,
  cwd: string | null = null,
): { interpreter: string; args: string[] } | null {
  for (const [pattern, interpreter, args] of BY_EXTENSION) {
    if (pattern.test(command)) {
      return { interpreter: interpreter === "bash" ? BASH : interpreter, args: [...args] };
    }
  }
  if (cwd !== null && command.includes("/") && NODE_SHEBANG.test(firstLine(command, cwd))) {
    return { interpreter: "node", args: [] };
  }
  return null;
}

function firstLine(command: string, cwd: string): string {
  const path = command.startsWith("/") ? command : `${cwd.replace(/\/$/, "")}/${command}`;
  let file: Deno.FsFile | null = null;
  try {
    file = Deno.openSync(path);
    const buffer = new Uint8Array(128);
    const n = file.readSync(buffer) ?? 0;
    return new TextDecoder().decode(buffer.subarray(0, n)).split("\n")[0] ?? "";
  } catch {
    return ""; // missing or unreadable: spawning reports it
  } finally {
    file?.close();
  }
}
