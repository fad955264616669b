/**
 * The side-by-side harness itself: the corpus is complete and recorded, the comparison names
 * each kind of difference, and log lines are read into prefix and content shapes.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { listCases, prepareWorkspace } from "./_corpus.ts";
import { readExpected } from "./_adasa_side.ts";
import { differences } from "./_compare.ts";
import { type Facts, observeLogs } from "./_facts.ts";

Deno.test("the corpus has at least 30 files, each recorded under pm2 with its ports declared", () => {
  const cases = listCases();
  assert(cases.length >= 30, `${cases.length} cases`);
  for (const c of cases) {
    const expected = readExpected(c);
    assertEquals(expected.recorded_with, "pm2 7.0.4", c.name);
    if (expected.facts.refused) continue;
    assertEquals(
      Object.keys(expected.facts.ports).sort(),
      (c.ports ?? []).map(String).sort(),
      `${c.name}: ports`,
    );
    assert(Object.keys(expected.facts.apps).length > 0, `${c.name}: no apps`);
  }
});

function facts(overrides: Partial<Facts> = {}): Facts {
  return {
    refused: null,
    apps: {
      api: {
        instances: [{
          status: "online",
          argv: ["node", "$WORK/server.js"],
          children: [],
          cwd: "$WORK",
          env: { PORT: "3000", NODE_APP_INSTANCE: "0" },
        }],
        policies: { stop_signal: "SIGINT", kill_timeout: 1600 },
      },
    },
    ports: { "3000": { answers: true, pids: 1 } },
    logs: { "logs/out.log": { prefixes: [""], lines: ["listening on 9"] } },
    ...overrides,
  };
}

Deno.test("differences() is empty for the same facts and names each kind of difference", () => {
  assertEquals(differences(facts(), facts()), []);
  const got = facts();
  const instance = got.apps.api!.instances[0]!;
  instance.argv = ["node", "server.js"];
  instance.cwd = "$WORK/sub";
  instance.env = { PORT: "3001", NODE_APP_INSTANCE: "0" };
  got.apps.api!.policies = { stop_signal: "SIGTERM", kill_timeout: 1600 };
  got.ports = { "3000": { answers: false, pids: 0 } };
  got.logs = {};
  assertEquals(differences(facts(), got), [
    'app "api"#0: argv ["node","server.js"] (pm2: ["node","$WORK/server.js"])',
    'app "api"#0: cwd $WORK/sub (pm2: $WORK)',
    'app "api"#0: env PORT=3001 (pm2: 3000)',
    'app "api": stop_signal "SIGTERM" (pm2: "SIGINT")',
    "port 3000: no answer",
    "log file logs/out.log: not written",
  ]);
  assertEquals(differences(facts(), facts({ refused: "bad file" })), [
    "refused by Adasa (pm2 runs it): bad file",
  ]);
  assertEquals(differences(facts({ refused: "x" }), facts({ refused: "y" })), []);
});

Deno.test("observeLogs() reads new files' date prefixes and line shapes", () => {
  const c = listCases()[0]!;
  using ws = prepareWorkspace(c);
  Deno.mkdirSync(`${ws.work}/logs`);
  Deno.writeTextFileSync(
    `${ws.work}/logs/out.log`,
    "2026-12-01 19:28:42: listening on 42010\n2026-12-01T19:28:46: tick 12\nplain 3\n",
  );
  assertEquals(observeLogs(ws), {
    "logs/out.log": {
      prefixes: ["", "9999-99-99 99:99:99: ", "9999-99-99T99:99:99: "],
      lines: ["listening on 9", "plain 9", "tick 9"],
    },
  });
});
