/**
 * Operating-system walls around the ecosystem evaluator. Deno's permissions stop the file's
 * reads, writes, spawns and network calls, but they are checked path by path inside one
 * process: Deno loads the imports of an ES module reached through require() without checking
 * them (the loader refuses such requires for that reason), and a gap like it would expose the
 * daemon's home. So where the system allows unprivileged user namespaces (`unshare`,
 * util-linux), the evaluator runs in its own user, mount, pid and network namespaces: the
 * hidden folders (the daemon's home) are covered by an empty tmpfs, /proc shows only the
 * evaluator, and there is no network interface but a down loopback. Where it does not, only
 * Deno's permissions apply (`--deny-read` of the home and of /proc).
 */

const UNSHARE = ["/usr/bin/unshare", "/bin/unshare"];
const MOUNT = ["/usr/bin/mount", "/bin/mount"];

/** Exit code of the wrapper when a folder cannot be covered. */
export const COVER_FAILED = 97;

/**
 * Mounts an empty tmpfs over each folder before `--`, then runs the rest in a nested user
 * namespace that maps the caller's uid and gid back, so the file sees its user as it is.
 */
const WRAPPER = `
unshare=$1 mount=$2 uid=$3 gid=$4; shift 4
while [ "$1" != "--" ]; do
  "$mount" -t tmpfs -o size=4k,mode=000 adasa-hidden "$1" || exit ${COVER_FAILED}
  shift
done
shift
exec "$unshare" --user --map-user="$uid" --map-group="$gid" "$@"
`;

let probed: Promise<{ unshare: string; mount: string } | null> | undefined;

/**
 * The argv that runs `program` inside the namespaces with `hidden` folders covered, or null
 * where namespaces are not available (checked once per process).
 */
export async function sandboxed(program: string[], hidden: string[]): Promise<string[] | null> {
  probed ??= probe();
  const tools = await probed;
  if (!tools) return null;
  const folders: string[] = [];
  for (const path of hidden) {
    try {
      if ((await Deno.stat(path)).isDirectory) folders.push(path, await Deno.realPath(path));
    } catch {
      // A folder that does not exist has nothing to hide.
    }
  }
  return [...wrapperArgs(tools, [...new Set(folders)]), ...program];
}

function wrapperArgs(tools: { unshare: string; mount: string }, folders: string[]): string[] {
  return [
    tools.unshare,
    "--user",
    "--map-root-user",
    "--mount",
    "--pid",
    "--fork",
    "--kill-child=SIGKILL",
    "--mount-proc",
    "--net",
    "/bin/sh",
    "-c",
    WRAPPER,
    "sh",
    tools.unshare,
    tools.mount,
    String(Deno.uid() ?? 0),
    String(Deno.gid() ?? 0),
    ...folders,
    "--",
  ];
}

async function probe(): Promise<{ unshare: string; mount: string } | null> {
  const unshare = await firstFile(UNSHARE);
  const mount = await firstFile(MOUNT);
  if (!unshare || !mount) return null;
  const tools = { unshare, mount };
  const home = await Deno.makeTempDir({ prefix: "adasa-probe-" });
  try {
    const [program, ...args] = [...wrapperArgs(tools, [home]), "/bin/sh", "-c", "exit 0"];
    const { code } = await new Deno.Command(program!, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return code === 0 ? tools : null;
  } catch {
    return null; // the tools cannot be run here (spawn refused): the same as their failing
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

async function firstFile(paths: string[]): Promise<string | undefined> {
  for (const path of paths) {
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch {
      // try the next place
    }
  }
  return undefined;
}
