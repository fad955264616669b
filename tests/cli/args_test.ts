import { assertEquals, assertThrows } from "../_helpers/assert.ts";
import { ArgsError, parseFlags } from "../../cli/args.ts";

const OPTIONS = {
  name: { type: "string", short: "n" },
  env: { type: "string", short: "e", multiple: true },
  force: { type: "boolean", short: "f" },
} as const;

Deno.test("parseFlags() reads long, short, = and repeated flags, keeping positionals in order", () => {
  const cases: Array<[string[], Record<string, unknown>, string[]]> = [
    [["a", "--name", "x", "b"], { name: "x" }, ["a", "b"]],
    [["--name=x=y"], { name: "x=y" }, []],
    [["-n", "x", "-f"], { name: "x", force: true }, []],
    [["-nx"], { name: "x" }, []],
    [["-e", "A=1", "--env", "B=2", "--env=C=3"], { env: ["A=1", "B=2", "C=3"] }, []],
    [["-", "x"], {}, ["-", "x"]],
  ];
  for (const [args, values, positionals] of cases) {
    assertEquals(parseFlags(args, OPTIONS), { values, positionals }, args.join(" "));
  }
});

Deno.test("parseFlags() names the culprit of every bad flag", () => {
  const cases: Array<[string[], string]> = [
    [["--bogus"], 'Unknown option "--bogus"'],
    [["-z"], 'Unknown option "-z"'],
    [["--name"], 'Option "--name" needs a value'],
    [["--force=yes"], 'Option "--force" takes no value'],
    [["-fx"], 'Unknown option "-fx"'],
  ];
  for (const [args, message] of cases) {
    const error = assertThrows(() => parseFlags(args, OPTIONS), (e) => e instanceof ArgsError);
    assertEquals((error as Error).message, message);
  }
});
