/** Help texts, made from the command table so they cannot drift from it. */
import { COMMANDS, type CommandSpec, type Flags } from "./commands/mod.ts";
import { VERSION } from "../src/protocol/version.ts";

export function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    `adasa ${VERSION}: keeps your services alive, shows what they do, remembers what happened`,
    "",
    "Usage: adasa <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Global options:",
    "  --json       Machine-readable output",
    "  --no-color   No colours (NO_COLOR is honoured too)",
    "  --host URL   Before the command: the daemon of ssh://[user@]host[:port], through ssh",
    '  -h, --help   Help; "adasa <command> --help" for a command',
    "  -V, --version",
    "",
    "Environment: ADASA_HOME (default ~/.adasa) selects the daemon; ADASA_HOST a remote one",
    "(ADASA_SSH_COMMAND replaces ssh).",
  ].join("\n");
}

/** The help of one command, given its flags (see flagsOf). */
export function commandHelp(spec: CommandSpec, specFlags: Flags): string {
  const flags = Object.entries(specFlags).map(([name, f]) => {
    const short = f.short ? `-${f.short}, ` : "    ";
    const value = f.type !== "string"
      ? ""
      : f.optional
      ? ` [${f.value ?? "VALUE"}]`
      : ` ${f.value ?? "VALUE"}`;
    return { left: `  ${short}--${name}${value}`, help: f.help };
  });
  const width = Math.max(0, ...flags.map((f) => f.left.length));
  const aliases = spec.aliases?.length ? `\nAliases: ${spec.aliases.join(", ")}` : "";
  return [
    `${spec.summary}\n`,
    `Usage: ${spec.usage}${aliases}`,
    ...(flags.length
      ? ["", "Options:", ...flags.map((f) => `${f.left.padEnd(width)}  ${f.help}`)]
      : []),
  ].join("\n");
}
