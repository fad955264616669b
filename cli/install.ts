/**
 * `deno task install`: puts `adasa` in a folder on the PATH (`$ADASA_BIN_DIR`, default
 * `~/.local/bin`). It writes a small launcher that imports the bundled CLI by its absolute
 * path, not a symlink: Deno resolves a script's imports beside the path it was started by, and
 * the bundle's chunks, the daemon bundle and the migrations live in dist/.
 */
import { print, printError } from "./render/io.ts";

/** Writes `binDir/adasa`, a launcher of the built CLI at `cli`; returns the launcher's path. */
export async function install(cli: string, binDir: string): Promise<string> {
  const bundled = await Deno.readTextFile(cli);
  const shebang = bundled.slice(0, bundled.indexOf("\n"));
  if (!shebang.startsWith("#!")) throw new Error(`${cli} does not start with #!: build it first`);
  const url = new URL(`file://${await Deno.realPath(cli)}`).href;
  const launcher = `${shebang}\n// Written by deno task install: runs the CLI built in dist/.\n` +
    `import { runProgram } from ${JSON.stringify(url)};\nawait runProgram(Deno.args);\n`;
  await Deno.mkdir(binDir, { recursive: true });
  const target = `${binDir}/adasa`;
  // Through a temporary file and a rename, so a running adasa never reads half a launcher and
  // an older symlink at the target is replaced rather than written through.
  const temp = `${target}.${Deno.pid}.tmp`;
  await Deno.writeTextFile(temp, launcher, { mode: 0o755 });
  await Deno.chmod(temp, 0o755);
  await Deno.rename(temp, target);
  return target;
}

if (import.meta.main) {
  const home = Deno.env.get("HOME");
  const dir = Deno.env.get("ADASA_BIN_DIR") ?? (home ? `${home}/.local/bin` : undefined);
  if (!dir) {
    printError("adasa install: set ADASA_BIN_DIR or HOME to say where to put adasa");
    Deno.exit(2);
  }
  const cli = new URL("../dist/adasa", import.meta.url).pathname;
  try {
    const target = await install(cli, dir);
    print(`Wrote ${target}, which runs ${cli}`);
  } catch (error) {
    printError(`adasa install: ${(error as Error).message}`);
    Deno.exit(1);
  }
  if (!(Deno.env.get("PATH") ?? "").split(":").includes(dir)) {
    print(`Note: ${dir} is not on your PATH; add it, e.g. export PATH="${dir}:$PATH"`);
  }
}
