/**
 * `adasa startup` prints a systemd unit that runs the daemon in the foreground with
 * Restart=always (a user unit by default; `--system` for a system unit), and `--install`
 * writes and enables it. `adasa unstartup` disables and removes it. Apps that were online
 * come back after a reboot because the daemon resumes whatever the registry says is wanted up.
 */
import { print, printError } from "../render/io.ts";
import { renderUnit, type UnitOptions } from "../render/systemd_unit.ts";
import { usageError } from "../usage_error.ts";
import { AdasaError } from "../../src/protocol/errors.ts";
import type { CommandContext, Parsed } from "./mod.ts";
import { realPath } from "../real_path.ts";
import { BUNDLED_DAEMON_FLAGS, DAEMON_V8_FLAGS } from "../daemon_process.ts";
import { writeNewFile } from "../write_new_file.ts";
import { type Account, lingerEnabled, lookupAccount } from "./_system_user.ts";

const UNIT = "adasa.service";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  if (parsed.positionals.length) throw usageError(`adasa ${parsed.command} takes no arguments`);
  const system = parsed.values.system === true;
  const path = unitPath(system);
  if (parsed.command === "unstartup") return await uninstall(path, system, ctx);
  const account = await targetAccount(system, parsed.values.user);
  const options = unitOptions(ctx, system, account);
  const text = renderUnit(options);
  const linger = system ? null : await lingerEnabled(account.name);
  const commands = enableCommands(system, account.name, linger);
  for (const warning of warnings(options, account)) printError(`adasa: warning: ${warning}`);
  if (parsed.values.install !== true) {
    if (ctx.json) {
      print(
        JSON.stringify({
          path,
          unit: text,
          user: account.name,
          home: options.home,
          linger,
          commands,
        }),
      );
      return 0;
    }
    // The unit alone goes to stdout (`adasa startup > adasa.service`); the how-to to stderr.
    print(text.trimEnd());
    printError(`# This unit goes in ${path}; to enable it (or run this with --install):`);
    for (const command of commands) printError(`#   ${command}`);
    if (linger === false) printError(`# ${lingerNote(account.name)}`);
    return 0;
  }
  await writeAtomically(path, text);
  await systemctl(system, ["daemon-reload"]);
  await systemctl(system, ["enable", "--now", UNIT]);
  if (ctx.json) {
    print(JSON.stringify({ installed: path, user: account.name, home: options.home, linger }));
    return 0;
  }
  print(`Installed ${path} and ran ${commands.slice(0, 2).join(" and ")}`);
  if (linger === false) print(lingerNote(account.name));
  return 0;
}

/**
 * The account the unit runs as: `--user` (with --system), else the user sudo ran this for, else
 * whoever runs it. A user unit always runs as its owner, so `--user` may only name that user.
 */
async function targetAccount(system: boolean, user: unknown): Promise<Account> {
  const self = await lookupAccount(String(Deno.uid()));
  if (typeof user === "string") {
    const named = await lookupAccount(user);
    if (named === null) {
      throw usageError(`--user: no user ${JSON.stringify(user)} on this machine (getent passwd)`);
    }
    if (!system && named.uid !== Deno.uid()) {
      throw usageError(
        `--user ${user}: a user unit runs as the user who installs it; use --system --user ${user}, or run adasa startup as ${user}`,
      );
    }
    return named;
  }
  const sudoUser = system ? Deno.env.get("SUDO_USER") : undefined;
  const bySudo = sudoUser ? await lookupAccount(sudoUser) : null;
  const account = bySudo ?? self;
  if (account === null) {
    throw new AdasaError("INTERNAL", `Cannot find uid ${Deno.uid()} in the user database`);
  }
  return account;
}

function unitOptions(ctx: CommandContext, system: boolean, account: Account): UnitOptions {
  const deno = Deno.execPath();
  // Through `deno task install` the CLI runs from a symlink: look beside the real file.
  const here = new URL("file:///");
  here.pathname = realPath(decodeURIComponent(new URL(import.meta.url).pathname));
  const beside = (relative: string) => decodeURIComponent(new URL(relative, here).pathname);
  const main = beside("../../main.ts");
  const bundled = beside("./adasad.js");
  let exec = [
    deno,
    "run",
    "--allow-all",
    DAEMON_V8_FLAGS,
    "--config",
    beside("../../deno.json"),
    main,
  ];
  try {
    if (Deno.statSync(bundled).isFile) {
      exec = [deno, "run", "--allow-all", ...BUNDLED_DAEMON_FLAGS, bundled];
    }
  } catch {
    // no bundle beside the CLI: running from source
  }
  const self = account.uid === Deno.uid();
  return {
    exec,
    // This user's own home and PATH are what they run with; another user gets theirs.
    home: self ? ctx.home : `${account.home}/.adasa`,
    system,
    user: account.name,
    path: self ? Deno.env.get("PATH") ?? SYSTEM_PATH.join(":") : pathFor(account, deno),
  };
}

const SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

/**
 * A PATH for another user: the folder of deno (unless it lies in the invoking user's home, which
 * the other user cannot use), that user's ~/.deno/bin and ~/.local/bin where their home exists,
 * then the system folders. Nothing of the invoking user's own PATH.
 */
function pathFor(account: Account, deno: string): string {
  const dirs: string[] = [];
  const denoDir = deno.slice(0, deno.lastIndexOf("/")) || "/";
  if (!insideInvokerHome(denoDir)) dirs.push(denoDir);
  if (isDirectory(account.home)) {
    dirs.push(`${account.home}/.deno/bin`, `${account.home}/.local/bin`);
  }
  dirs.push(...SYSTEM_PATH);
  return [...new Set(dirs)].join(":");
}

function insideInvokerHome(path: string): boolean {
  const home = Deno.env.get("HOME");
  return home !== undefined && home !== "/" && home !== "" &&
    (path === home || path.startsWith(`${home.replace(/\/+$/, "")}/`));
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** What the unit will trip over at boot, said now. */
function warnings(options: UnitOptions, account: Account): string[] {
  if (account.uid === Deno.uid()) return [];
  const out: string[] = [];
  const deno = options.exec[0] ?? "";
  if (insideInvokerHome(deno)) {
    out.push(
      `${account.name} may not be able to run ${deno}: it is inside ${
        Deno.env.get("HOME")
      }; install deno where ${account.name} can read it`,
    );
  }
  if (!isDirectory(account.home)) {
    out.push(
      `${account.name}'s home ${account.home} does not exist: the daemon cannot make ${options.home}`,
    );
  }
  return out;
}

/** The commands that load and start the unit, exactly as a user types them. */
function enableCommands(system: boolean, user: string, linger: boolean | null): string[] {
  const sudo = system && Deno.uid() !== 0 ? "sudo " : "";
  const ctl = system ? `${sudo}systemctl` : "systemctl --user";
  const out = [`${ctl} daemon-reload`, `${ctl} enable --now ${UNIT}`];
  if (linger === false) {
    out.push(`${Deno.uid() === 0 ? "" : "sudo "}loginctl enable-linger ${user}`);
  }
  return out;
}

function lingerNote(user: string): string {
  return `Lingering is off for ${user}: without \`loginctl enable-linger ${user}\` the daemon starts at ${user}'s first login, not at boot.`;
}

/**
 * Writes the unit whole or not at all: a new file beside it (created exclusively, so no symlink
 * or existing file is followed), then renamed over the unit. A symlink at the unit's path is
 * replaced, never written through.
 */
async function writeAtomically(path: string, text: string): Promise<void> {
  try {
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")) || "/", { recursive: true });
    await writeNewFile(path, text, { mode: 0o644 });
  } catch (error) {
    if (error instanceof AdasaError) throw error;
    throw new AdasaError("INTERNAL", `Cannot write ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function unitPath(system: boolean): string {
  if (system) return Deno.env.get("ADASA_SYSTEMD_DIR") ?? `/etc/systemd/system/${UNIT}`;
  const config = Deno.env.get("XDG_CONFIG_HOME") ?? `${Deno.env.get("HOME") ?? ""}/.config`;
  return `${config}/systemd/user/${UNIT}`;
}

async function uninstall(path: string, system: boolean, ctx: CommandContext): Promise<number> {
  try {
    await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new AdasaError("NOT_FOUND", `No unit at ${path}`, { cause: error });
    }
    throw new AdasaError("INTERNAL", `Cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // The unit file goes even when systemd cannot be told (no user session, unit not loaded);
  // what systemctl said is shown, not hidden.
  const warn = (error: Error) => printError(`adasa: warning: ${error.message}`);
  await systemctl(system, ["disable", "--now", UNIT]).catch(warn);
  await Deno.remove(path);
  await systemctl(system, ["daemon-reload"]).catch(warn);
  print(ctx.json ? JSON.stringify({ removed: path }) : `Disabled and removed ${path}`);
  return 0;
}

async function systemctl(system: boolean, args: string[]): Promise<void> {
  const bin = Deno.env.get("ADASA_SYSTEMCTL") ?? "systemctl";
  const out = await new Deno.Command(bin, {
    args: system ? args : ["--user", ...args],
    stdin: "null",
  })
    .output()
    .catch((error) => {
      throw new AdasaError("INTERNAL", `Cannot run ${bin}: ${(error as Error).message}`);
    });
  if (!out.success) {
    const why = new TextDecoder().decode(out.stderr).trim().split("\n")[0];
    throw new AdasaError("INTERNAL", `${bin} ${args.join(" ")} failed: ${why}`);
  }
}
