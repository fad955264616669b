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
import { DAEMON_V8_FLAGS } from "../daemon_process.ts";

const UNIT = "adasa.service";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  if (parsed.positionals.length) throw usageError(`adasa ${parsed.command} takes no arguments`);
  const system = parsed.values.system === true;
  const path = unitPath(system);
  if (parsed.command === "unstartup") return await uninstall(path, system, ctx);
  const text = renderUnit(unitOptions(ctx, system, parsed.values.user));
  if (parsed.values.install !== true) {
    print(ctx.json ? JSON.stringify({ path, unit: text }) : text);
    return 0;
  }
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(path, text);
  await systemctl(system, ["daemon-reload"]);
  await systemctl(system, ["enable", "--now", UNIT]);
  print(ctx.json ? JSON.stringify({ installed: path }) : `Installed and enabled ${path}`);
  return 0;
}

function unitOptions(ctx: CommandContext, system: boolean, user: unknown): UnitOptions {
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
      exec = [deno, "run", "--allow-all", DAEMON_V8_FLAGS, "--no-config", "--no-lock", bundled];
    }
  } catch {
    // no bundle beside the CLI: running from source
  }
  const runAs = typeof user === "string"
    ? user
    : Deno.env.get("SUDO_USER") ?? Deno.env.get("USER") ?? "root";
  return {
    exec,
    home: ctx.home,
    system,
    user: runAs,
    path: Deno.env.get("PATH") ?? "/usr/bin:/bin",
  };
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
