#!/usr/bin/env -S deno run --allow-all --no-config --no-lock --unstable-lazy-dynamic-imports
/**
 * The `adasa` CLI: global flags, the command table, errors → exit codes. The only Deno.exit
 * on the CLI side. Imports stay small (protocol, ipc client, no node: modules): start-up time
 * is a feature, and commands are loaded lazily.
 */
import { AdasaError } from "../src/protocol/errors.ts";
import { parseFlags } from "./args.ts";
import { VERSION } from "../src/protocol/version.ts";
import { resolveHome } from "../src/ipc/paths.ts";
import { connectOrStart, tryConnect } from "./daemon_process.ts";
import { EXIT, exitCodeFor } from "./exit_codes.ts";
import {
  type CommandContext,
  COMMANDS,
  type CommandSpec,
  findCommand,
  flagsOf,
  type Parsed,
  runCommand,
} from "./commands/mod.ts";
import { print, printError, useColor } from "./render/io.ts";

const GLOBAL_FLAGS = new Set(["--json", "--no-color"]);

async function main(argv: string[]): Promise<number> {
  const dashdash = argv.indexOf("--");
  const before = dashdash === -1 ? argv : argv.slice(0, dashdash);
  const rest = dashdash === -1 ? [] : argv.slice(dashdash + 1);
  const json = before.includes("--json");
  const noColor = before.includes("--no-color");
  const { host, words } = takeHost(before.filter((w) => !GLOBAL_FLAGS.has(w)));
  const [name, ...args] = words;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? args[0] : undefined;
    const spec = topic ? findCommand(topic) : undefined;
    if (topic && !spec) throw new AdasaError("INVALID_ARGUMENT", `Unknown command "${topic}"`);
    const { commandHelp, globalHelp } = await import("./help.ts");
    print(spec ? commandHelp(spec, await flagsOf(spec)) : globalHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    print(json ? JSON.stringify({ version: VERSION }) : `adasa ${VERSION}`);
    return EXIT.ok;
  }
  const spec = findCommand(name);
  if (!spec) {
    const { withSuggestion } = await import("./suggest.ts");
    const names = COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    const message = withSuggestion(`Unknown command "${name}"`, name, names);
    throw new AdasaError(
      "INVALID_ARGUMENT",
      message.includes("did you mean") ? message : `${message}; see "adasa --help"`,
    );
  }
  if (args.includes("--help") || args.includes("-h")) {
    const { commandHelp } = await import("./help.ts");
    print(commandHelp(spec, await flagsOf(spec)));
    return EXIT.ok;
  }
  const parsed = await parseCommandLine(spec, args, rest);
  if (host !== undefined) {
    const remote = await import("./remote_command.ts");
    return await remote.runRemote(spec, parsed, { host, json, color: useColor(noColor) });
  }
  const home = resolveHome();
  const ctx: CommandContext = {
    home,
    json,
    color: useColor(noColor),
    connect: () =>
      connectOrStart({
        home,
        onStart: () => printError(`adasa: no daemon was running on ${home}; starting one`),
      }),
  };
  return await runCommand(spec, parsed, ctx, () => tryConnect(home));
}

/** `--host URL` or `--host=URL` before the command, else ADASA_HOST; the rest of the words. */
function takeHost(words: string[]): { host: string | undefined; words: string[] } {
  const first = words[0];
  if (first === "--host") {
    if (words[1] === undefined) {
      throw new AdasaError("INVALID_ARGUMENT", "--host needs a value: ssh://[user@]host[:port]");
    }
    return { host: words[1], words: words.slice(2) };
  }
  if (first?.startsWith("--host=")) return { host: first.slice(7), words: words.slice(1) };
  return { host: Deno.env.get("ADASA_HOST") || undefined, words };
}

async function parseCommandLine(
  spec: CommandSpec,
  args: string[],
  rest: string[],
): Promise<Parsed> {
  if (rest.length > 0 && !spec.takesRest) {
    throw new AdasaError("INVALID_ARGUMENT", `"adasa ${spec.name}" takes no arguments after --`);
  }
  const specFlags = await flagsOf(spec);
  const options = Object.fromEntries(
    Object.entries(specFlags).map(([flag, f]) => [
      flag,
      {
        type: f.type,
        ...(f.short ? { short: f.short } : {}),
        ...(f.multiple ? { multiple: true } : {}),
        ...(f.optional ? { optional: true } : {}),
      },
    ]),
  );
  try {
    const { values, positionals } = parseFlags(args, options);
    return { command: spec.name, values, positionals, rest };
  } catch (error) {
    const message = `adasa ${spec.name}: ${(error as Error).message}`;
    const unknown = /^Unknown option "(--?[^"=]+)"/.exec((error as Error).message)?.[1];
    if (unknown === undefined) throw new AdasaError("INVALID_ARGUMENT", message);
    const { withSuggestion } = await import("./suggest.ts");
    const flags = Object.keys(specFlags).map((flag) => `--${flag}`);
    throw new AdasaError("INVALID_ARGUMENT", withSuggestion(message, unknown, flags));
  }
}

/**
 * Runs `adasa ARGS` as a whole program: prints the error of a failed command and exits with its
 * code. The launcher that `deno task install` writes imports the bundle and calls this, since
 * the bundle is not its main module there.
 */
export async function runProgram(args: string[]): Promise<never> {
  let code: number;
  try {
    code = await main(args);
  } catch (error) {
    if (error instanceof AdasaError) {
      printError(`adasa: ${error.message}`);
      code = exitCodeFor(error.code);
    } else {
      printError(`adasa: ${(error as Error).message ?? String(error)}`);
      code = EXIT.failed;
    }
  }
  Deno.exit(code);
}

if (import.meta.main) await runProgram(Deno.args);
