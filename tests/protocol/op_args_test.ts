import { AdasaError } from "../../src/protocol/errors.ts";
import { OP_ARGS, parseOpArgs } from "../../src/protocol/op_args.ts";
import type { Op } from "../../src/protocol/ops.ts";
import { MAX_LOG_LINES } from "../../src/model/limits.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";

/** The message of the INVALID_ARGUMENT that parsing throws; fails the test for anything else. */
function refusal(op: Op, args: Record<string, unknown>): string {
  try {
    parseOpArgs(op, args);
  } catch (error) {
    if (error instanceof AdasaError && error.code === "INVALID_ARGUMENT") return error.message;
    throw new Error(`${op} ${JSON.stringify(args)}: want INVALID_ARGUMENT, got ${error}`);
  }
  throw new Error(`${op} ${JSON.stringify(args)}: want INVALID_ARGUMENT, got no error`);
}

Deno.test("parseOpArgs() returns the fields an op declares, and drops every other", () => {
  assertEquals(parseOpArgs("stop", { targets: ["api"], force: true, forced: 1 }), {
    targets: ["api"],
    force: true,
  });
  assertEquals(parseOpArgs("ping", { anything: 1 }), {});
  assertEquals(
    parseOpArgs("logs", {
      targets: ["a"],
      since: -5,
      until: 10,
      lines: MAX_LOG_LINES,
      stream: "err",
      grep: "x",
      regex: true,
      ignore_case: false,
      follow: true,
    }),
    {
      targets: ["a"],
      since: -5,
      until: 10,
      lines: MAX_LOG_LINES,
      stream: "err",
      grep: "x",
      regex: true,
      ignore_case: false,
      follow: true,
    },
  );
  assertEquals(parseOpArgs("scale", { app: "api", instances: 1024 }), {
    app: "api",
    instances: 1024,
  });
});

Deno.test("parseOpArgs() leaves out absent and null optional fields", () => {
  assertEquals(parseOpArgs("stop", { targets: ["1"], force: null }), { targets: ["1"] });
  assertEquals(parseOpArgs("events", { targets: null, since: null, limit: undefined }), {});
  assertEquals(parseOpArgs("web_start", {}), {});
});

Deno.test("parseOpArgs() picks start's and reload's form by the field present", () => {
  const config = { path: "/x/adasa.json", cwd: "/x", env: { A: "1" }, strict: true };
  assertEquals(parseOpArgs("start", { config, targets: ["ignored"] }), { config });
  assertEquals(parseOpArgs("start", { app: { name: "a", command: "sleep" } }), {
    app: { name: "a", command: "sleep" },
  });
  assertEquals(parseOpArgs("start", { targets: ["all"], app: null }), { targets: ["all"] });
  assertEquals(parseOpArgs("reload", { config, prune: true }), { config, prune: true });
  assertEquals(parseOpArgs("reload", { targets: ["a"], update_env: { PATH: "/bin" } }), {
    targets: ["a"],
    update_env: { PATH: "/bin" },
  });
});

Deno.test("parseOpArgs() refuses a wrong type, naming the field", () => {
  const cases: Array<[Op, Record<string, unknown>, string]> = [
    ["stop", { targets: "all" }, "args.targets must be an array of strings"],
    ["stop", { targets: ["a", 1] }, "args.targets must be an array of strings"],
    ["stop", { targets: ["a"], force: "yes" }, "args.force must be a boolean"],
    [
      "restart",
      { targets: ["a"], update_env: { A: 1 } },
      "args.update_env must be a map of strings",
    ],
    ["start", { app: [] }, "args.app must be a map"],
    ["start", { app: new Uint8Array(1) }, "args.app must be a map"],
    ["start", { config: "adasa.json" }, "args.config must be a map"],
    ["start", { config: { path: 1, cwd: "/" } }, "args.config.path must be a string"],
    ["start", { config: { path: "/a.json" } }, "args.config.cwd is required"],
    ["reload", { config: { path: "/a", cwd: "/", strict: 1 } }, "args.config.strict must be"],
    ["describe", { target: 5 }, "args.target must be a string"],
    ["describe", {}, "args.target is required"],
    ["signal", { targets: ["a"] }, "args.signal is required"],
    ["events", { since: 1.5 }, "args.since must be an integer"],
    ["events", { limit: 0 }, "args.limit must be at least 1, got 0"],
    ["logs", { lines: MAX_LOG_LINES + 1 }, `args.lines must be at most ${MAX_LOG_LINES}`],
    ["logs", { stream: "both" }, 'args.stream must be "out" or "err", got "both"'],
    ["logs", { stream: 1 }, "args.stream must be a string"],
    ["stats", { max_points: 2 ** 53 }, "args.max_points must be an integer"],
    ["export", { format: "yaml" }, 'args.format must be "json" or "toml", got "yaml"'],
    ["scale", { app: "a" }, "args.instances is required"],
    ["scale", { app: "a", instances: 1025 }, "args.instances must be at most 1024, got 1025"],
    ["web_start", { port: 65_536 }, "args.port must be at most 65535"],
    ["web_start", { host: 1 }, "args.host must be a string"],
  ];
  for (const [op, args, want] of cases) {
    const message = refusal(op, args);
    assert(message.startsWith(want), `${op} ${JSON.stringify(args)}: "${message}"`);
  }
});

Deno.test("every op that acts on targets refuses none with one message", () => {
  const ops: Op[] = ["start", "stop", "restart", "reload", "delete", "signal", "reset"];
  for (const op of ops) {
    for (const args of [{}, { targets: [] }, { targets: null }]) {
      const message = refusal(op, { ...args, signal: "HUP" });
      assertEquals(
        message,
        "args.targets: name an id, an app or all",
        `${op} ${JSON.stringify(args)}`,
      );
    }
  }
});

Deno.test("parseOpArgs() never reads a field from a prototype", () => {
  const inherited = Object.create({ target: "api" }) as Record<string, unknown>;
  assertEquals(refusal("describe", inherited), "args must be a map");
  const config = Object.create({ path: "/a.json" }) as Record<string, unknown>;
  config.cwd = "/";
  assertEquals(refusal("start", { config }), "args.config must be a map");
});

Deno.test("OP_ARGS has a schema for every op and nothing else", async () => {
  const source = await Deno.readTextFile(new URL("../../src/protocol/ops.ts", import.meta.url));
  const body = source.slice(source.indexOf("export interface OpMap {"));
  const ops = [...body.slice(0, body.indexOf("\n}\n")).matchAll(/^ {2}(\w+):/gm)].map((m) => m[1]);
  assertEquals(Object.keys(OP_ARGS).sort(), ops.sort());
});
