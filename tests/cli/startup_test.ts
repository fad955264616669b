/**
 * `adasa startup` and `adasa unstartup` through the real CLI. Installing goes to a temp
 * XDG_CONFIG_HOME, and systemctl is a fake script (ADASA_SYSTEMCTL) that appends its
 * arguments to a file, so no real unit is ever touched.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { makeHome, runCli } from "../_helpers/daemon.ts";
import { DAEMON_V8_FLAGS } from "../../cli/daemon_process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** A temp home and folder, removed on dispose; no daemon is started by these commands. */
async function scratch(): Promise<AsyncDisposable & { home: string; dir: string }> {
  const home = makeHome();
  const dir = await Deno.makeTempDir({ prefix: "adasa-startup-" });
  return {
    home,
    dir,
    async [Symbol.asyncDispose]() {
      await Deno.remove(home, { recursive: true });
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function unitLines(text: string): string[] {
  return text.trim().split("\n");
}

Deno.test("startup prints a user unit that runs the daemon with Restart=always for this home", async () => {
  await using s = await scratch();
  const result = await runCli(s.home, ["startup"]);
  assertEquals(result.code, 0, result.stderr);
  const lines = unitLines(result.stdout);
  const exec = lines.find((l) => l.startsWith("ExecStart="));
  assert(exec, result.stdout);
  assert(
    exec.includes(`${ROOT}main.ts`) || exec.includes("dist/adasad.js"),
    `ExecStart runs the daemon entry: ${exec}`,
  );
  assert(exec.startsWith(`ExecStart="${Deno.execPath()}" "run" `), exec);
  assert(exec.includes(`"${DAEMON_V8_FLAGS}"`), `ExecStart has ${DAEMON_V8_FLAGS}: ${exec}`);
  for (const line of ["Restart=always", `Environment="ADASA_HOME=${s.home}"`]) {
    assert(lines.includes(line), `has ${line}`);
  }
  assertEquals(lines.filter((l) => l.startsWith("WantedBy=")), ["WantedBy=default.target"]);
  assertEquals(lines.filter((l) => l.startsWith("User=")), [], "a user unit names no User");
});

Deno.test("startup --system --user names the user and the multi-user target", async () => {
  await using s = await scratch();
  const result = await runCli(s.home, ["startup", "--system", "--user", "bob"]);
  assertEquals(result.code, 0, result.stderr);
  const lines = unitLines(result.stdout);
  assert(lines.includes("User=bob"), result.stdout);
  assertEquals(lines.filter((l) => l.startsWith("WantedBy=")), ["WantedBy=multi-user.target"]);
});

Deno.test("startup --install writes the user unit and enables it; unstartup disables and removes it", async () => {
  await using s = await scratch();
  const calls = `${s.dir}/systemctl.calls`;
  const fake = `${s.dir}/systemctl`;
  await Deno.writeTextFile(fake, `#!/bin/sh\necho "$*" >> '${calls}'\n`, { mode: 0o755 });
  const env = { XDG_CONFIG_HOME: `${s.dir}/config`, ADASA_SYSTEMCTL: fake };
  const unit = `${s.dir}/config/systemd/user/adasa.service`;

  const printed = await runCli(s.home, ["startup"], { env });
  const installed = await runCli(s.home, ["startup", "--install"], { env });
  assertEquals(installed.code, 0, installed.stderr);
  assertEquals(
    (await Deno.readTextFile(unit)).trimEnd(),
    printed.stdout.trimEnd(),
    "the printed unit",
  );
  assertEquals(unitLines(await Deno.readTextFile(calls)), [
    "--user daemon-reload",
    "--user enable --now adasa.service",
  ]);

  const removed = await runCli(s.home, ["unstartup"], { env });
  assertEquals(removed.code, 0, removed.stderr);
  const gone = await Deno.stat(unit).then(() => false, () => true);
  assert(gone, "the unit file is removed");
  assertEquals(unitLines(await Deno.readTextFile(calls)).slice(2), [
    "--user disable --now adasa.service",
    "--user daemon-reload",
  ]);
});

Deno.test("unstartup with no unit installed exits 3 with one line", async () => {
  await using s = await scratch();
  const env = { XDG_CONFIG_HOME: `${s.dir}/config`, ADASA_SYSTEMCTL: `${s.dir}/never-called` };
  const result = await runCli(s.home, ["unstartup"], { env });
  assertEquals(result.code, 3, result.stderr);
  const lines = unitLines(result.stderr);
  assertEquals(lines.length, 1, result.stderr);
  assert(lines[0]!.includes(`${s.dir}/config/systemd/user/adasa.service`), lines[0]);
});

Deno.test("deno task daemon runs the daemon with the V8 flags the CLI starts it with", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const command: string = config.tasks.daemon.command;
  assert(command.split(" ").includes(DAEMON_V8_FLAGS), command);
});
