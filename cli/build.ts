/**
 * `deno task build`: bundles the CLI into `dist/adasa` and the daemon into `dist/adasad.js`, each
 * split into chunks beside it (`dist/*.js`), with the migrations in `dist/migrations/`.
 *
 * Both are split so a process parses only what it runs: `adasa ping` loads its entry and a few
 * shared chunks, not `start`'s settings table or `monit`'s screen; a daemon loads the config
 * readers, the exporter and the web dashboard on first use. The CLI is minified too (names kept
 * for error messages), since every start parses all it loads. No npm resolution happens at start.
 *
 *   deno run --allow-all cli/build.ts [OUTDIR]   (default dist/)
 */
import { printError } from "./render/io.ts";

const ROOT = new URL("../", import.meta.url).pathname;

async function bundle(entry: string, outdir: string, extra: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--platform", "deno", "--quiet", "--code-splitting", ...extra, "--outdir"]
      .concat(outdir, entry),
    cwd: ROOT,
    stdout: "inherit",
  }).output();
  if (code !== 0) {
    throw new Error(`deno bundle ${entry} failed:\n${new TextDecoder().decode(stderr).trimEnd()}`);
  }
}

/** Removes what a previous build left in `outdir` (chunks, entries, migrations), nothing else. */
async function clean(outdir: string): Promise<void> {
  for await (const entry of Deno.readDir(outdir)) {
    const ours = entry.name.endsWith(".js") || entry.name === "adasa" ||
      entry.name === "migrations";
    if (ours) await Deno.remove(`${outdir}/${entry.name}`, { recursive: true });
  }
}

/** Builds the CLI and the daemon into `outdir`; returns the CLI's path. */
export async function build(outdir = `${ROOT}dist`): Promise<string> {
  await Deno.mkdir(outdir, { recursive: true });
  await clean(outdir);
  // One bundle at a time: both name their entry main.js. Chunk names hash their content, so the
  // two bundles' chunks never overwrite each other.
  await bundle("cli/main.ts", outdir, ["--minify", "--keep-names"]);
  await Deno.rename(`${outdir}/main.js`, `${outdir}/adasa`);
  await Deno.chmod(`${outdir}/adasa`, 0o755);
  await bundle("main.ts", outdir, []);
  await Deno.rename(`${outdir}/main.js`, `${outdir}/adasad.js`);
  await Deno.mkdir(`${outdir}/migrations`);
  for await (const file of Deno.readDir(`${ROOT}migrations`)) {
    await Deno.copyFile(`${ROOT}migrations/${file.name}`, `${outdir}/migrations/${file.name}`);
  }
  return `${outdir}/adasa`;
}

if (import.meta.main) {
  try {
    await build(Deno.args[0]);
  } catch (error) {
    printError(`adasa build: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
