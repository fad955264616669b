import { AdasaError, type ErrorCode } from "../../src/protocol/errors.ts";
import { parseRequest, requestIdOf } from "../../src/protocol/validate.ts";
import {
  MAX_INSTANCES,
  normalizeAppSpec,
  parseSignal,
  SPEC_DEFAULTS,
  validateAppName,
} from "../../src/protocol/app_spec.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";

/** Runs `fn` and returns the AdasaError it threw; fails the test for anything else. */
function adasaErrorOf(fn: () => unknown, label: string): AdasaError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AdasaError) return error;
    throw new Error(`${label}: want AdasaError, got ${error}`, { cause: error });
  }
  throw new Error(`${label}: want AdasaError, got no error`);
}

function assertCode(fn: () => unknown, code: ErrorCode, label: string, pattern?: RegExp): void {
  const error = adasaErrorOf(fn, label);
  assertEquals(error.code, code, `${label}: ${error.message}`);
  if (pattern) assert(pattern.test(error.message), `${label}: message "${error.message}"`);
}

const GOOD = { v: 1, id: 7, op: "ping", args: { a: 1 } };

Deno.test("parseRequest() accepts a well-formed request", () => {
  assertEquals(parseRequest({ ...GOOD }), GOOD);
});

Deno.test("parseRequest() defaults missing or null args to an empty map", () => {
  assertEquals(parseRequest({ v: 1, id: 1, op: "ping" }).args, {});
  assertEquals(parseRequest({ v: 1, id: 1, op: "ping", args: null }).args, {});
});

Deno.test("parseRequest() rejects a frame that is not a map", () => {
  for (const value of [null, undefined, 1, "ping", true, [], [GOOD], new Uint8Array(3)]) {
    assertCode(() => parseRequest(value), "INVALID_ARGUMENT", String(value), /must be a map/);
  }
});

Deno.test("parseRequest() rejects a wrong type for every field, naming the field", () => {
  const cases: Array<{ field: string; value: unknown }> = [
    ...[undefined, null, "1", -1, 1.5, 2 ** 53, true, [], {}].map((value) => ({
      field: "id",
      value,
    })),
    ...[undefined, null, "1", true, [], {}].map((value) => ({ field: "v", value })),
    ...[undefined, null, 1, "", "x".repeat(65), true, [], {}].map((value) => ({
      field: "op",
      value,
    })),
    ...["x", 1, true, [], [1, 2], new Uint8Array(1)].map((value) => ({ field: "args", value })),
  ];
  for (const { field, value } of cases) {
    const request: Record<string, unknown> = { ...GOOD, [field]: value };
    if (value === undefined) delete request[field];
    assertCode(
      () => parseRequest(request),
      "INVALID_ARGUMENT",
      `${field}=${JSON.stringify(value)}`,
      new RegExp(`request\\.${field}`),
    );
  }
});

Deno.test("parseRequest() answers UNSUPPORTED_VERSION for any v other than 1", () => {
  for (const v of [0, 2, 1.5, -1, 999]) {
    assertCode(() => parseRequest({ ...GOOD, v }), "UNSUPPORTED_VERSION", `v=${v}`, /version/);
  }
});

Deno.test("parseRequest() accepts an op of exactly 64 characters", () => {
  assertEquals(parseRequest({ ...GOOD, op: "o".repeat(64) }).op, "o".repeat(64));
});

Deno.test("requestIdOf() reads a usable id from an invalid request, else 0", () => {
  const cases: Array<[unknown, number]> = [
    [{ id: 5, v: 2 }, 5],
    [{ id: 9, op: 1 }, 9],
    [{ id: "5" }, 0],
    [{ id: 1.5 }, 0],
    [{ id: -1 }, 0],
    [[5], 0],
    [null, 0],
  ];
  for (const [value, want] of cases) assertEquals(requestIdOf(value), want);
});

Deno.test("validateAppName() accepts ordinary names", () => {
  for (const name of ["api", "web-1", "a.b", "worker_2", "x".repeat(64), "ünï", "1a", "all2"]) {
    assertEquals(validateAppName(name), name);
  }
});

Deno.test("validateAppName() rejects bad names with INVALID_ARGUMENT naming the name", () => {
  const bad = [
    "",
    "x".repeat(65),
    "a/b",
    "/abs",
    "..",
    "a..b",
    "../x",
    "a b",
    " a",
    "a\tb",
    "a\nb",
    "a\0b",
    "a\x1bb",
    "a\x7fb",
    // C1 controls: U+009B is CSI, which many terminals treat as ESC [.
    "a\x85b",
    "a\x9b31mb",
    "a\u00a0b",
    "a\u2028b",
    "-x",
    "--name",
    ".hidden",
    ".",
    "all",
    "0",
    "123",
  ];
  for (const name of bad) {
    assertCode(
      () => validateAppName(name),
      "INVALID_ARGUMENT",
      JSON.stringify(name),
      /^Invalid app name /,
    );
  }
});

Deno.test("normalizeAppSpec() fills every default", () => {
  assertEquals(normalizeAppSpec({ command: "sleep", cwd: "/tmp" }), {
    name: "sleep",
    command: "sleep",
    args: [],
    interpreter: null,
    interpreter_args: [],
    shell: false,
    cwd: "/tmp",
    env: {},
    base_env: {},
    instances: SPEC_DEFAULTS.instances,
    exec_mode: "fork",
    instance_var: "NODE_APP_INSTANCE",
    increment_var: null,
    port: null,
    restart: SPEC_DEFAULTS.restart,
    stop_exit_codes: [],
    min_uptime_ms: SPEC_DEFAULTS.min_uptime_ms,
    max_restarts: SPEC_DEFAULTS.max_restarts,
    restart_delay_ms: SPEC_DEFAULTS.restart_delay_ms,
    backoff_initial_ms: SPEC_DEFAULTS.backoff_initial_ms,
    backoff_max_ms: SPEC_DEFAULTS.backoff_max_ms,
    stop_signal: SPEC_DEFAULTS.stop_signal,
    kill_timeout_ms: SPEC_DEFAULTS.kill_timeout_ms,
    max_memory: null,
    max_cpu: null,
    limit_action: SPEC_DEFAULTS.limit_action,
    limit_samples: SPEC_DEFAULTS.limit_samples,
    cron_restart: null,
    watch: null,
    ignore_watch: [],
    log_rotate_bytes: SPEC_DEFAULTS.log_rotate_bytes,
    log_retain_files: SPEC_DEFAULTS.log_retain_files,
    log_retain_bytes: SPEC_DEFAULTS.log_retain_bytes,
    out_file: null,
    error_file: null,
    log_file: null,
    merge_logs: false,
    log_date_format: null,
    time: false,
    readiness: { kind: "uptime" },
    ready_timeout_ms: SPEC_DEFAULTS.ready_timeout_ms,
    liveness: null,
    shutdown_with_message: false,
    depends_on: {},
  });
});

Deno.test("normalizeAppSpec() accepts pm2's forms of instances and resolves them", () => {
  const cpus = navigator.hardwareConcurrency;
  const cases: Array<[unknown, number]> = [
    [3, 3],
    ["3", 3],
    ["max", cpus],
    [0, cpus],
    [-1, Math.max(1, cpus - 1)],
    ["-1", Math.max(1, cpus - 1)],
  ];
  for (const [instances, want] of cases) {
    assertEquals(normalizeAppSpec({ command: "sleep", cwd: "/", instances }).instances, want);
  }
});

Deno.test("normalizeAppSpec() gives wait_ready's readiness pm2's 3 s listen timeout", () => {
  const spec = normalizeAppSpec({ command: "x", cwd: "/", readiness: { kind: "message" } });
  assertEquals([spec.readiness, spec.ready_timeout_ms], [{ kind: "message" }, 3_000]);
  const given = normalizeAppSpec({
    command: "x",
    cwd: "/",
    readiness: { kind: "message" },
    ready_timeout_ms: 8_000,
  });
  assertEquals(given.ready_timeout_ms, 8_000);
});

Deno.test("normalizeAppSpec() names an app after its script without the extension", () => {
  const cases: Array<[string, string]> = [
    ["/srv/app/server.js", "server"],
    ["./worker.ts", "worker"],
    ["job.py", "job"],
    ["/usr/bin/python3", "python3"],
    ["run.sh", "run"],
  ];
  for (const [command, want] of cases) {
    assertEquals(normalizeAppSpec({ command, cwd: "/" }).name, want, command);
  }
});

Deno.test("normalizeAppSpec() keeps given values and normalises the stop signal", () => {
  const spec = normalizeAppSpec({
    command: "node",
    name: "api",
    args: ["server.js"],
    cwd: "/srv",
    env: { PORT: "8080" },
    instances: 4,
    restart: "on_failure",
    stop_exit_codes: [0, 3],
    stop_signal: "int",
    backoff_initial_ms: 20_000,
  });
  assertEquals(spec.name, "api");
  assertEquals(spec.args, ["server.js"]);
  assertEquals(spec.env, { PORT: "8080" });
  assertEquals(spec.instances, 4);
  assertEquals(spec.restart, "on_failure");
  assertEquals(spec.stop_exit_codes, [0, 3]);
  assertEquals(spec.stop_signal, "SIGINT");
  // The default maximum never undercuts a larger initial backoff.
  assertEquals(spec.backoff_max_ms, 20_000);
});

Deno.test("normalizeAppSpec() rejects bad names given in the spec", () => {
  for (const name of ["", "../x", "-x", "x".repeat(65), "all", "42", 42, "a b"]) {
    assertCode(
      () => normalizeAppSpec({ command: "sleep", cwd: "/", name }),
      "INVALID_ARGUMENT",
      String(name),
      /Invalid app name/,
    );
  }
});

Deno.test("normalizeAppSpec() rejects each bad field, naming it", () => {
  const base = { command: "sleep", cwd: "/" };
  const cases: Array<{ patch: Record<string, unknown>; field: string }> = [
    { patch: { command: "" }, field: "command" },
    { patch: { command: 1 }, field: "command" },
    { patch: { cwd: "relative" }, field: "cwd" },
    { patch: { cwd: undefined }, field: "cwd" },
    { patch: { restart: "sometimes" }, field: "restart" },
    { patch: { instances: -2 }, field: "instances" },
    { patch: { instances: MAX_INSTANCES + 1 }, field: "instances" },
    { patch: { instances: "two" }, field: "instances" },
    { patch: { instances: 1.5 }, field: "instances" },
    { patch: { exec_mode: "threads" }, field: "exec_mode" },
    { patch: { instance_var: "A-B" }, field: "instance_var" },
    { patch: { increment_var: "" }, field: "increment_var" },
    { patch: { port: 70_000 }, field: "port" },
    { patch: { out_file: "" }, field: "out_file" },
    { patch: { cron_restart: "99 * * * *" }, field: "cron_restart" },
    { patch: { cron_restart: "* * *" }, field: "cron_restart" },
    { patch: { error_file: 3 }, field: "error_file" },
    { patch: { log_file: "" }, field: "log_file" },
    { patch: { merge_logs: "yes" }, field: "merge_logs" },
    { patch: { time: 1 }, field: "time" },
    { patch: { log_date_format: "" }, field: "log_date_format" },
    { patch: { shutdown_with_message: "true" }, field: "shutdown_with_message" },
    { patch: { args: "a 'b" }, field: "args" },
    { patch: { args: [1] }, field: "args" },
    { patch: { env: { A: null } }, field: "env.A" },
    { patch: { env: { "A=B": "1" } }, field: "env" },
    { patch: { env: [] }, field: "env" },
    { patch: { stop_exit_codes: [1.5] }, field: "stop_exit_codes" },
    { patch: { stop_signal: "SIGFOO" }, field: "SIGFOO" },
    { patch: { kill_timeout_ms: -1 }, field: "kill_timeout_ms" },
    { patch: { backoff_initial_ms: 500, backoff_max_ms: 100 }, field: "backoff_max_ms" },
    { patch: { interpreter: "" }, field: "interpreter" },
  ];
  for (const { patch, field } of cases) {
    const error = adasaErrorOf(() => normalizeAppSpec({ ...base, ...patch }), field);
    assertEquals(error.code, "INVALID_ARGUMENT");
    assert(error.message.includes(field), `want "${field}" in "${error.message}"`);
  }
  for (const raw of [null, "sleep", ["sleep"]]) {
    assertCode(() => normalizeAppSpec(raw), "INVALID_ARGUMENT", String(raw), /^app:/);
  }
});

Deno.test("parseSignal() accepts TERM, SIGTERM and sigterm alike", () => {
  const cases: Array<[string, string]> = [
    ["TERM", "SIGTERM"],
    ["SIGTERM", "SIGTERM"],
    ["sigterm", "SIGTERM"],
    ["kill", "SIGKILL"],
    ["Hup", "SIGHUP"],
    ["usr2", "SIGUSR2"],
  ];
  for (const [text, want] of cases) assertEquals(parseSignal(text), want);
});

Deno.test("parseSignal() rejects unknown signals with INVALID_ARGUMENT naming them", () => {
  for (const text of ["", "SIG", "FOO", "9", "SIGSIGTERM", " TERM", "TERM\n"]) {
    assertCode(
      () => parseSignal(text),
      "INVALID_ARGUMENT",
      JSON.stringify(text),
      new RegExp(`Unknown signal "${text.replace(/[\n]/g, "\\n")}"`),
    );
  }
});
