/**
 * What a process manager gave each app of a file, observed from outside the same way for pm2
 * and for Adasa: /proc/<pid>/cmdline, cwd and environ of every instance and its children,
 * the ports answering (and how many pids answer them), the log files written in the work
 * folder and the shape of their lines, and the policies the manager reports.
 */
import { filesUnder, type Workspace } from "./_corpus.ts";

/** One managed process as a manager lists it. */
export interface Row {
  name: string;
  id: number;
  pid: number | null;
  status: string;
}

export interface InstanceFacts {
  status: string;
  argv: string[];
  /** Normalised command lines of the process's descendants, breadth first. */
  children: string[];
  cwd: string | null;
  env: Record<string, string | null>;
}

export interface AppFacts {
  instances: InstanceFacts[];
  policies: Record<string, unknown>;
}

export interface LogFacts {
  /** Date prefixes in front of lines, digits as 9 ("" for none). */
  prefixes: string[];
  /** Line contents after the prefix, digits as 9. */
  lines: string[];
}

export interface Facts {
  refused: string | null;
  apps: Record<string, AppFacts>;
  ports: Record<string, { answers: boolean; pids: number }>;
  logs: Record<string, LogFacts>;
}

/** Instance facts for `rows`, with the values of `envKeys(app)` from each process's environ. */
export function observeInstances(
  rows: Row[],
  ws: Workspace,
  envKeys: (app: string) => string[],
): Record<string, InstanceFacts[]> {
  const byApp: Record<string, InstanceFacts[]> = {};
  for (const row of [...rows].sort((a, b) => a.id - b.id)) {
    const pid = row.pid && row.pid > 0 ? row.pid : null;
    const kids = pid ? descendants(pid) : [];
    // A node program reports itself; for `npm start` and the like, the program is a child.
    const report = pid
      ? reported(ws, pid) ?? kids.map((kid) => reported(ws, kid)).find(Boolean)
      : null;
    const own = pid ? reported(ws, pid) : null;
    const environ = report?.env ?? (pid ? readEnviron(pid) : {});
    const env = Object.fromEntries(
      envKeys(row.name).map((key) => [key, environ[key] ?? null]),
    );
    (byApp[row.name] ??= []).push({
      status: row.status,
      argv: pid ? normaliseArgv(own ? ownArgv(own) : readArgv(pid), ws, pid) : [],
      children: kids.map((kid) => {
        const r = reported(ws, kid);
        return normaliseArgv(r ? ownArgv(r) : readArgv(kid), ws, kid).join(" ");
      }).filter(lasting),
      cwd: pid ? normalisePath(safeReadLink(`/proc/${pid}/cwd`), ws) : null,
      env,
    });
  }
  return byApp;
}

interface Report {
  env: Record<string, string>;
  argv: string[];
  execArgv: string[];
  /** The program's own file: argv[1] is pm2's ProcessContainer under pm2. */
  script: string;
}

/** What a fixture program reported at start, or null (not one of ours, or not yet). */
function reported(ws: Workspace, pid: number): Report | null {
  try {
    return JSON.parse(Deno.readTextFileSync(`${ws.report}/${pid}.json`));
  } catch {
    return null;
  }
}

/** The command line a node program was started with: node, its options, script, args. */
function ownArgv(r: Report): string[] {
  return [r.argv[0] ?? "node", ...r.execArgv, r.script, ...r.argv.slice(2)];
}

export function readEnviron(pid: number): Record<string, string> {
  try {
    const raw = Deno.readTextFileSync(`/proc/${pid}/environ`);
    return Object.fromEntries(
      raw.split("\0").filter((p) => p.includes("=")).map((p) => {
        const at = p.indexOf("=");
        return [p.slice(0, at), p.slice(at + 1)];
      }),
    );
  } catch {
    return {};
  }
}

function readArgv(pid: number): string[] {
  try {
    const words = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
    while (words.length && words.at(-1) === "") words.pop();
    // A retitled process (node's process.title) shows one word with spaces.
    return words.length === 1 && words[0]!.includes(" ") ? words[0]!.split(" ") : words;
  } catch {
    return [];
  }
}

function safeReadLink(path: string): string | null {
  try {
    return Deno.readLinkSync(path);
  } catch {
    return null;
  }
}

function normalisePath(path: string | null, ws: Workspace): string | null {
  if (path === null) return null;
  if (path === ws.work) return "$WORK";
  if (path.startsWith(`${ws.work}/`)) return `$WORK/${path.slice(ws.work.length + 1)}`;
  if (path === ws.home || path.startsWith(`${ws.home}/`)) {
    return `$HOME${path.slice(ws.home.length)}`;
  }
  return path;
}

const PRELOAD = /\/node\/preload-[0-9a-f]+\.cjs$/;

/** argv[0] by its base name; paths inside the work folder as $WORK/..., relative ones resolved. */
function normaliseArgv(argv: string[], ws: Workspace, pid: number): string[] {
  const cwd = safeReadLink(`/proc/${pid}/cwd`) ?? ws.work;
  // Adasa's Node preload is its counterpart of pm2's ProcessContainer (which pm2 hides by
  // retitling the process): the program's own argv is what is compared.
  const preload = argv.findIndex((w, i) => w === "--require" && PRELOAD.test(argv[i + 1] ?? ""));
  if (preload !== -1) argv = [...argv.slice(0, preload), ...argv.slice(preload + 2)];
  return argv.map((word, i) => {
    if (i === 0) return word.slice(word.lastIndexOf("/") + 1);
    if (word.startsWith("/")) return normalisePath(word, ws)!;
    if (!word.startsWith("-") && existsAt(`${cwd}/${word}`)) {
      return normalisePath(resolve(`${cwd}/${word}`), ws)!;
    }
    return word;
  });
}

function existsAt(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function resolve(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}

/** The fixtures' own short sleeps (and processes caught mid-exec) come and go: not compared. */
function lasting(command: string): boolean {
  return command !== "" && !command.startsWith("sleep ");
}

/** Live descendants of `pid`, breadth first. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z") continue;
      const ppid = Number(fields[1]);
      (parents.get(ppid) ?? parents.set(ppid, []).get(ppid)!).push(Number(entry.name));
    } catch { /* gone */ }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of (parents.get(queue.shift()!) ?? []).sort((a, b) => a - b)) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Asks each port a few times on fresh connections; counts the distinct pids that answer. */
export async function observePorts(
  ports: number[],
): Promise<Record<string, { answers: boolean; pids: number }>> {
  const out: Record<string, { answers: boolean; pids: number }> = {};
  for (const port of ports) {
    const pids = new Set<number>();
    let answers = false;
    for (let i = 0; i < 8; i++) {
      const body = await get(port);
      if (body === null) continue;
      answers = true;
      const pid = /"pid":(\d+)/.exec(body)?.[1];
      if (pid) pids.add(Number(pid));
    }
    out[String(port)] = { answers, pids: pids.size };
  }
  return out;
}

/** One HTTP/1.0 GET on its own connection (a pooled one would always reach the same worker). */
async function get(port: number): Promise<string | null> {
  let conn: Deno.TcpConn | null = null;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"));
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(4096);
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
    return text.startsWith("HTTP/1.") ? text : null;
  } catch {
    return null;
  } finally {
    try {
      conn?.close();
    } catch { /* closed */ }
  }
}

const DATE_PREFIX =
  /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{3})?)?(?: ?(?:[+-]\d{2}:?\d{2}|Z))?: )/;

/** The files that appeared in the work folder, with the shapes of their lines. */
export function observeLogs(ws: Workspace): Record<string, LogFacts> {
  const out: Record<string, LogFacts> = {};
  for (const file of filesUnder(ws.work)) {
    if (ws.initial.has(file)) continue;
    const text = Deno.readTextFileSync(`${ws.work}/${file}`);
    const prefixes = new Set<string>();
    const lines = new Set<string>();
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const prefix = DATE_PREFIX.exec(line)?.[1] ?? "";
      prefixes.add(prefix.replace(/\d/g, "9"));
      lines.add(line.slice(prefix.length).replace(/\d+/g, "9"));
    }
    out[file] = { prefixes: [...prefixes].sort(), lines: [...lines].sort() };
  }
  return out;
}
