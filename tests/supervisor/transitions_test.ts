import { assert, assertEquals } from "../_helpers/assert.ts";
import { type Readiness, STATES } from "../../src/protocol/mod.ts";
import { SPEC_DEFAULTS } from "../../src/protocol/app_spec.ts";
import {
  type DecisionContext,
  next,
  TRANSITIONS,
  transitionTableMarkdown,
} from "../../src/supervisor/transitions.ts";
import { EVENT_TYPES } from "../../src/supervisor/states.ts";
import { backoffDelay } from "../../src/supervisor/backoff.ts";
import { shouldRestart } from "../../src/supervisor/restart_policy.ts";

const BASE = {
  ...SPEC_DEFAULTS,
  stop_exit_codes: [] as number[],
  readiness: { kind: "uptime" } as Readiness,
};

function ctx(overrides: Partial<DecisionContext> = {}): DecisionContext {
  return {
    desired: "up",
    spec: { ...BASE, stop_exit_codes: [] },
    unstableRestarts: 0,
    ...overrides,
  };
}

const crash = { exit: { code: 1, signal: null } };
const clean = { exit: { code: 0, signal: null } };

// Every cell: [state, event, context, expected target or ignore/anomaly].
const notify = { spec: { ...BASE, readiness: { kind: "notify" } as Readiness } };
const CASES: Array<[string, string, Partial<DecisionContext>, string]> = [
  ["stopped", "start", {}, "launching"],
  ["stopped", "stop", {}, "ignore"],
  ["stopped", "restart", {}, "launching"],
  ["stopped", "reload", {}, "launching"],
  ["stopped", "shutdown", {}, "ignore"],
  ["stopped", "exit", crash, "anomaly"],
  ["stopped", "spawn_failed", {}, "anomaly"],
  ["stopped", "ready", {}, "ignore"],
  ["stopped", "ready_timeout", {}, "ignore"],
  ["stopped", "unhealthy", {}, "ignore"],
  ["stopped", "backoff_elapsed", {}, "ignore"],
  ["stopped", "kill_timeout", {}, "ignore"],
  ["launching", "start", {}, "ignore"],
  ["launching", "stop", {}, "stopping"],
  ["launching", "restart", {}, "stopping"],
  ["launching", "reload", {}, "stopping"],
  ["launching", "shutdown", {}, "stopping"],
  ["launching", "exit", crash, "waiting"],
  ["launching", "exit", { ...crash, unstableRestarts: 16 }, "errored"],
  ["launching", "exit", {
    ...clean,
    spec: { ...BASE, restart: "on_failure", stop_exit_codes: [] },
  }, "exited"],
  ["launching", "spawn_failed", { failure: "command not found" }, "errored"],
  ["launching", "ready", {}, "online"],
  ["launching", "ready_timeout", { failure: "GET http://x/: HTTP 503" }, "stopping"],
  ["launching", "unhealthy", {}, "ignore"],
  ["launching", "backoff_elapsed", {}, "ignore"],
  ["launching", "kill_timeout", {}, "ignore"],
  ["online", "start", {}, "ignore"],
  ["online", "stop", {}, "stopping"],
  ["online", "restart", {}, "stopping"],
  ["online", "reload", {}, "reloading"],
  ["online", "shutdown", {}, "stopping"],
  ["online", "exit", crash, "launching"],
  ["online", "exit", {
    ...crash,
    spec: { ...BASE, restart_delay_ms: 500, stop_exit_codes: [] },
  }, "waiting"],
  ["online", "exit", {
    ...crash,
    spec: { ...BASE, restart: "never", stop_exit_codes: [] },
  }, "exited"],
  ["online", "spawn_failed", {}, "anomaly"],
  ["online", "ready", {}, "ignore"],
  ["online", "ready_timeout", {}, "ignore"],
  ["online", "unhealthy", { failure: "3 liveness checks failed" }, "stopping"],
  ["online", "backoff_elapsed", {}, "ignore"],
  ["online", "kill_timeout", {}, "ignore"],
  ["reloading", "start", {}, "ignore"],
  ["reloading", "stop", {}, "stopping"],
  ["reloading", "restart", {}, "stopping"],
  ["reloading", "reload", {}, "ignore"],
  ["reloading", "shutdown", {}, "stopping"],
  ["reloading", "exit", { ...crash, previousAlive: true }, "online"],
  ["reloading", "exit", { ...crash, previousAlive: false }, "waiting"],
  ["reloading", "spawn_failed", { previousAlive: true }, "online"],
  ["reloading", "spawn_failed", { previousAlive: false }, "errored"],
  ["reloading", "ready", {}, "online"],
  ["reloading", "ready_timeout", { ...notify, previousAlive: true }, "online"],
  ["reloading", "ready_timeout", { ...notify, previousAlive: false }, "stopping"],
  ["reloading", "unhealthy", {}, "ignore"],
  ["reloading", "backoff_elapsed", {}, "ignore"],
  ["reloading", "kill_timeout", {}, "ignore"],
  ["stopping", "start", {}, "ignore"],
  ["stopping", "stop", {}, "ignore"],
  ["stopping", "stop", { stopSignal: "SIGKILL" }, "stopping"],
  ["stopping", "restart", {}, "ignore"],
  ["stopping", "reload", {}, "ignore"],
  ["stopping", "shutdown", {}, "ignore"],
  ["stopping", "exit", { ...crash, desired: "down" }, "stopped"],
  ["stopping", "exit", { ...crash, desired: "up" }, "launching"],
  ["stopping", "exit", { ...crash, desired: "up", closing: true }, "stopped"],
  ["stopping", "exit", { ...crash, startFailure: "not ready after 10 ms: x" }, "waiting"],
  ["stopping", "exit", {
    ...crash,
    startFailure: "not ready after 10 ms: x",
    unstableRestarts: 16,
  }, "errored"],
  ["stopping", "spawn_failed", {}, "anomaly"],
  ["stopping", "ready", {}, "ignore"],
  ["stopping", "ready_timeout", {}, "ignore"],
  ["stopping", "unhealthy", {}, "ignore"],
  ["stopping", "backoff_elapsed", {}, "ignore"],
  ["stopping", "kill_timeout", {}, "stopping"],
  ["waiting", "start", {}, "launching"],
  ["waiting", "stop", {}, "stopped"],
  ["waiting", "restart", {}, "launching"],
  ["waiting", "reload", {}, "launching"],
  ["waiting", "shutdown", {}, "stopped"],
  ["waiting", "exit", crash, "anomaly"],
  ["waiting", "spawn_failed", {}, "anomaly"],
  ["waiting", "ready", {}, "ignore"],
  ["waiting", "ready_timeout", {}, "ignore"],
  ["waiting", "unhealthy", {}, "ignore"],
  ["waiting", "backoff_elapsed", {}, "launching"],
  ["waiting", "kill_timeout", {}, "ignore"],
  ...["exited", "errored"].flatMap((
    s,
  ): Array<[string, string, Partial<DecisionContext>, string]> => [
    [s, "start", {}, "launching"],
    [s, "stop", {}, "ignore"],
    [s, "restart", {}, "launching"],
    [s, "reload", {}, "launching"],
    [s, "shutdown", {}, "ignore"],
    [s, "exit", crash, "anomaly"],
    [s, "spawn_failed", {}, "anomaly"],
    [s, "ready", {}, "ignore"],
    [s, "ready_timeout", {}, "ignore"],
    [s, "unhealthy", {}, "ignore"],
    [s, "backoff_elapsed", {}, "ignore"],
    [s, "kill_timeout", {}, "ignore"],
  ]),
];

for (const [state, event, overrides, want] of CASES) {
  Deno.test(`next(${state}, ${event}) goes to ${want}`, () => {
    const result = next(state as never, event as never, ctx(overrides));
    const got = typeof result === "string" ? result : result.to;
    assertEquals(got, want);
  });
}

Deno.test("the cases above cover every cell of the table", () => {
  for (const state of STATES) {
    for (const event of EVENT_TYPES) {
      assert(
        CASES.some(([s, e]) => s === state && e === event),
        `no case for ${state} x ${event}`,
      );
      assert(TRANSITIONS[state][event] !== undefined);
    }
  }
});

Deno.test("a stop sends the app's stop signal and arms the kill timer", () => {
  const result = next(
    "online",
    "stop",
    ctx({ spec: { ...BASE, stop_signal: "SIGINT", stop_exit_codes: [] } }),
  );
  assert(typeof result !== "string");
  assertEquals(result.effects, [
    { kind: "signal_group", signal: "SIGINT" },
    { kind: "arm_timer", timer: "kill", ms: SPEC_DEFAULTS.kill_timeout_ms },
  ]);
});

Deno.test("an errored instance says how many unstable restarts it made", () => {
  const result = next("launching", "exit", ctx({ ...crash, unstableRestarts: 16 }));
  assert(typeof result !== "string");
  assert(result.reason?.startsWith("16 unstable restarts"), result.reason);
});

Deno.test("a ready_timeout stops the process and remembers why, for the decision on its exit", () => {
  const result = next("launching", "ready_timeout", ctx({ ...notify, failure: "no ready file" }));
  assert(typeof result !== "string");
  assertEquals(result.effects[0], {
    kind: "note_start_failure",
    reason: "not ready after 30000 ms: no ready file",
  });
  const exit = next(
    "stopping",
    "exit",
    ctx({
      ...crash,
      startFailure: "not ready",
      unstableRestarts: 0,
      spec: { ...BASE, max_restarts: 0, stop_exit_codes: [] },
    }),
  );
  assert(typeof exit !== "string" && exit.to === "errored", JSON.stringify(exit));
});

Deno.test("an unhealthy instance is stopped with reason unhealthy and started again on exit", () => {
  const result = next("online", "unhealthy", ctx({ failure: "3 liveness checks failed" }));
  assert(typeof result !== "string");
  assertEquals(result.reason, "unhealthy: 3 liveness checks failed");
  const exit = next("stopping", "exit", ctx({ ...crash, desired: "up" }));
  assert(typeof exit !== "string" && exit.to === "launching");
});

Deno.test("a reload keeps the old process until the new one is ready", () => {
  const reload = next("online", "reload", ctx());
  assert(typeof reload !== "string");
  assertEquals(reload.effects, [{ kind: "spawn_replacement" }]);
  const ready = next("reloading", "ready", ctx());
  assert(typeof ready !== "string");
  assertEquals(ready.effects[0], { kind: "retire_previous" });
  const failed = next("reloading", "exit", ctx({ ...crash, previousAlive: true }));
  assert(typeof failed !== "string");
  assertEquals(failed.effects[0], { kind: "restore_previous" });
});

Deno.test("backoffDelay doubles from the initial delay up to the cap, plus the fixed delay", () => {
  const policy = { backoff_initial_ms: 100, backoff_max_ms: 15_000, restart_delay_ms: 0 };
  assertEquals([1, 2, 3, 4, 8, 9, 50].map((n) => backoffDelay(n, policy)), [
    100,
    200,
    400,
    800,
    12_800,
    15_000,
    15_000,
  ]);
  assertEquals(backoffDelay(0, policy), 0);
  assertEquals(backoffDelay(2, { ...policy, restart_delay_ms: 50 }), 250);
});

Deno.test("shouldRestart follows pm2's modes and stop_exit_codes", () => {
  const cases: Array<[string, number | null, string | null, number[], boolean]> = [
    ["always", 0, null, [], true],
    ["always", 3, null, [3], false],
    ["never", 1, null, [], false],
    ["on_failure", 0, null, [], false],
    ["on_failure", 2, null, [], true],
    ["on_failure", 2, null, [2], false],
    ["on_failure", null, "SIGKILL", [], true],
  ];
  for (const [restart, code, signal, stop_exit_codes, want] of cases) {
    assertEquals(
      shouldRestart({ code, signal }, { restart: restart as never, stop_exit_codes }),
      want,
      `${restart} ${code} ${signal}`,
    );
  }
});

Deno.test("the README's transition table matches the code", () => {
  const readme = Deno.readTextFileSync(new URL("../../README.md", import.meta.url));
  assert(
    readme.includes(transitionTableMarkdown()),
    "README.md lacks the current table; paste transitionTableMarkdown()",
  );
});
