/**
 * The systemd unit that runs the daemon in the foreground. Pure. Every value is written per
 * systemd.syntax(7) (#16.6): control characters are refused (a newline in a value would start a
 * new directive, e.g. `ExecStartPre=`), `%` becomes `%%` so no specifier expands, and paths
 * are double-quoted with `\` and `"` escaped; ExecStart's arguments also get `$` as `$$`
 * (systemd expands variables there, not in the executable's path, and refuses an executable
 * path holding quotes or `\`, so such a path is refused here with a message that says so).
 */
import { AdasaError } from "../../src/protocol/errors.ts";

export interface UnitOptions {
  /** The daemon's command line: the executable's absolute path, then its arguments. */
  exec: readonly string[];
  home: string;
  system: boolean;
  user: string;
  path: string;
}

// deno-lint-ignore no-control-regex -- control characters are what this refuses
const CONTROL = /[\x00-\x1f\x7f]/;
/** A login name or a numeric uid: what `User=` accepts without quoting. */
export const USER_NAME = /^(?:[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?|\d{1,10})$/;

/**
 * The unit text.
 *
 * @throws {AdasaError} INVALID_ARGUMENT naming the value that cannot go into a unit
 */
export function renderUnit(o: UnitOptions): string {
  checkValue("ADASA_HOME", o.home);
  checkValue("PATH", o.path);
  o.exec.forEach((word, i) => checkValue(i === 0 ? "the deno executable" : "ExecStart", word));
  const executable = o.exec[0] ?? "";
  if (!executable.startsWith("/") || /["'\\]/.test(executable)) {
    throw new AdasaError(
      "INVALID_ARGUMENT",
      `Cannot write a systemd unit: systemd runs no executable at ${
        JSON.stringify(executable)
      } (it must be an absolute path without quotes or backslashes)`,
    );
  }
  if (o.system && !USER_NAME.test(o.user)) {
    throw new AdasaError(
      "INVALID_ARGUMENT",
      `--user: not a user name or uid: ${JSON.stringify(o.user.slice(0, 64))}`,
    );
  }
  return [
    "[Unit]",
    "Description=Adasa process manager",
    "After=network.target",
    "",
    "[Service]",
    "Type=simple",
    ...(o.system ? [`User=${o.user}`] : []),
    `Environment=${quote(`ADASA_HOME=${o.home}`)}`,
    `Environment=${quote(`PATH=${o.path}`)}`,
    `ExecStart=${
      [quote(executable), ...o.exec.slice(1).map((a) => quote(a).replaceAll("$", "$$$$"))].join(" ")
    }`,
    "Restart=always",
    "RestartSec=1",
    // The daemon stops every app's process group itself; systemd only signals the daemon.
    "KillMode=process",
    "TimeoutStopSec=60",
    "",
    "[Install]",
    `WantedBy=${o.system ? "multi-user.target" : "default.target"}`,
    "",
  ].join("\n");
}

/** A double-quoted word: `%` doubled (specifiers), `\` and `"` escaped (quoting). */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replaceAll("%", "%%")}"`;
}

function checkValue(name: string, value: string): void {
  const bad = value.match(CONTROL)?.[0];
  if (bad !== undefined) {
    const code = `\\x${bad.charCodeAt(0).toString(16).padStart(2, "0")}`;
    throw new AdasaError(
      "INVALID_ARGUMENT",
      `Cannot write a systemd unit: ${name} holds a control character (${code}): ${
        JSON.stringify(value.slice(0, 80))
      }`,
    );
  }
}
