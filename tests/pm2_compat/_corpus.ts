/**
 * The corpus: real-shaped pm2 ecosystem files in `corpus/<case>/`, each with a `case.json`
 * (the file, the `start` flags, where fixture programs go) and, once recorded under a real
 * pm2, an `expected.json` of what pm2 gave each app. A case runs in a fresh temp folder laid
 * out as the file expects: `work/` (the shell's folder for `start`) and `home/` (HOME).
 */
const HERE = new URL("./", import.meta.url).pathname;
const APPS = `${HERE}apps/`;
const CORPUS = `${HERE}corpus/`;

/** The programs every case gets in its work folder (others go where `layout` says). */
const DEFAULT_APPS = ["server.js", "worker.js", "ready.js", "package.json", "tick.sh", "worker.py"];

export interface CaseMeta {
  file: string;
  source: string;
  /** Destination in the work folder → fixture program in apps/. */
  layout?: Record<string, string>;
  /** Flags after `start <file>`, e.g. ["--env", "production"]. */
  args?: string[];
  /** Ports the file's apps listen on. */
  ports?: number[];
  note?: string;
}

export interface Case extends CaseMeta {
  name: string;
  dir: string;
}

export interface Workspace extends Disposable {
  root: string;
  work: string;
  home: string;
  /** Where the fixture programs write what they were given (PM2C_REPORT). */
  report: string;
  /** Files present before anything ran (relative to work), so new log files can be told apart. */
  initial: Set<string>;
}

export function listCases(): Case[] {
  return [...Deno.readDirSync(CORPUS)]
    .filter((e) => e.isDirectory)
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const meta = JSON.parse(Deno.readTextFileSync(`${CORPUS}${name}/case.json`)) as CaseMeta;
      return { ...meta, name, dir: `${CORPUS}${name}` };
    });
}

export function findCase(name: string): Case {
  const found = listCases().find((c) => c.name === name || c.name.startsWith(`${name}_`));
  if (!found) throw new Error(`No corpus case "${name}"`);
  return found;
}

export function expectedPath(c: Case): string {
  return `${c.dir}/expected.json`;
}

/** Lays out a temp folder for one run of `c`. */
export function prepareWorkspace(c: Case): Workspace {
  const root = Deno.makeTempDirSync({ prefix: "pm2c-" });
  const work = `${root}/work`;
  const home = `${root}/home`;
  Deno.mkdirSync(work);
  Deno.mkdirSync(home);
  Deno.mkdirSync(`${root}/report`);
  for (const app of DEFAULT_APPS) copy(`${APPS}${app}`, `${work}/${app}`);
  for (const [dest, app] of Object.entries(c.layout ?? {})) {
    copy(`${APPS}${app}`, `${work}/${dest}`);
  }
  copy(`${c.dir}/${c.file}`, `${work}/${c.file}`);
  return {
    root,
    work,
    home,
    report: `${root}/report`,
    initial: new Set(filesUnder(work)),
    [Symbol.dispose]() {
      Deno.removeSync(root, { recursive: true });
    },
  };
}

function copy(from: string, to: string): void {
  Deno.mkdirSync(to.slice(0, to.lastIndexOf("/")), { recursive: true });
  Deno.copyFileSync(from, to);
  Deno.chmodSync(to, Deno.statSync(from).mode! & 0o777);
}

/** Paths of the files under `dir`, relative to it, without node_modules. */
export function filesUnder(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(`${dir}/${prefix}`)) {
    if (entry.name === "node_modules") continue;
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) out.push(...filesUnder(dir, path));
    else if (entry.isFile) out.push(path);
  }
  return out.sort();
}
