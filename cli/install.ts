/**
 * `deno task install`: links the bundled CLI into a folder on the PATH (`$ADASA_BIN_DIR`,
 * default `~/.local/bin`). A symlink, not a copy: the CLI finds the bundled daemon and its
 * migrations beside its real path in dist/.
 */
import { print, printError } from "./render/io.ts";

const dist = new URL("../dist/adasa", import.meta.url).pathname;
const home = Deno.env.get("HOME");
const dir = Deno.env.get("ADASA_BIN_DIR") ?? (home ? `${home}/.local/bin` : undefined);
if (!dir) {
  printError("adasa install: set ADASA_BIN_DIR or HOME to say where to put adasa");
  Deno.exit(2);
}
await Deno.mkdir(dir, { recursive: true });
const target = `${dir}/adasa`;
await Deno.remove(target).catch(() => {}); // a previous link, if any; symlink says why if not
await Deno.symlink(dist, target);
print(`Linked ${target} -> ${dist}`);
if (!(Deno.env.get("PATH") ?? "").split(":").includes(dir)) {
  print(`Note: ${dir} is not on your PATH; add it, e.g. export PATH="${dir}:$PATH"`);
}
