import { assertEquals } from "../_helpers/assert.ts";
import { diffApps } from "../../src/config/mod.ts";
import { type AppSpec, normalizeAppSpec } from "../../src/protocol/mod.ts";

function spec(name: string, fields: Partial<AppSpec> = {}): AppSpec {
  return normalizeAppSpec({
    name,
    command: "/usr/bin/sleep",
    args: ["60"],
    cwd: "/tmp",
    base_env: { PATH: "/usr/bin", SHLVL: "1" },
    ...fields,
  });
}

Deno.test("diffApps() starts new apps, restarts changed ones and leaves the rest", () => {
  const current = [spec("api"), spec("web"), spec("old")];
  const wanted = [spec("api"), spec("web", { args: ["120"], kill_timeout_ms: 5000 }), spec("new")];
  assertEquals(diffApps(current, wanted), {
    start: [wanted[2]],
    restart: [{ name: "web", spec: wanted[1], changed: ["args", "kill_timeout_ms"] }],
    scale: [],
    unchanged: ["api"],
    delete: [],
  });
});

Deno.test("diffApps() deletes apps missing from the file only with prune", () => {
  const current = [spec("api"), spec("old"), spec("older")];
  assertEquals(diffApps(current, [spec("api")], { prune: true }).delete, ["old", "older"]);
  assertEquals(diffApps(current, [spec("api")]).delete, []);
});

Deno.test("diffApps() reports an instance-count-only change as a scale", () => {
  const wanted = [spec("api", { instances: 4 }), spec("web", { instances: 2, args: ["1"] })];
  const diff = diffApps([spec("api", { instances: 2 }), spec("web")], wanted);
  assertEquals(diff.scale, [{ name: "api", spec: wanted[0], from: 2, to: 4 }]);
  assertEquals(diff.restart, [{
    name: "web",
    spec: wanted[1],
    changed: ["args", "instances"],
    scale: { from: 1, to: 2 },
  }]);
});

Deno.test("diffApps() ignores base_env alone, and carries it along with an env change", () => {
  const otherShell = { PATH: "/usr/bin", SHLVL: "3" };
  const quiet = diffApps([spec("api")], [spec("api", { base_env: otherShell })]);
  assertEquals(quiet.unchanged, ["api"]);
  const loud = diffApps(
    [spec("api", { env: { A: "1" } })],
    [spec("api", { env: { A: "2" }, base_env: otherShell })],
  );
  assertEquals(loud.restart.map((r) => r.changed), [["env", "base_env"]]);
});

Deno.test("diffApps() compares maps regardless of key order and lists by order", () => {
  const a = spec("api", { env: { A: "1", B: "2" }, stop_exit_codes: [0, 3] });
  const b = spec("api", { env: { B: "2", A: "1" }, stop_exit_codes: [0, 3] });
  assertEquals(diffApps([a], [b]).unchanged, ["api"]);
  const c = spec("api", { env: { A: "1", B: "2" }, stop_exit_codes: [3, 0] });
  assertEquals(diffApps([a], [c]).restart.map((r) => r.changed), [["stop_exit_codes"]]);
});
