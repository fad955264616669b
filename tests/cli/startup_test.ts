/**
 * `adasa startup` and `adasa unstartup` through the real CLI. Installing goes to a temp
 * XDG_CONFIG_HOME, and systemctl is a fake script (ADASA_SYSTEMCTL) that appends its
 * arguments to a file, so no real unit is ever touched.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
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

/** `name:home` of an account by getent, as the unit must see it. */
async function account(key: string): Promise<{ name: string; home: string }> {
  const out = await new Deno.Command("getent", { args: ["passwd", key] }).output();
  const fields = new TextDecoder().decode(out.stdout).trim().split(":");
  return { name: fields[0]!, home: fields[5]! };
}

async function whoami(): Promise<string> {
  return (await account(String(Deno.uid()))).name;
}

/** A fake loginctl that answers `Linger=VALUE` (or fails, for "no such logged-in user"). */
async function fakeLoginctl(dir: string, linger: "yes" | "no" | "fail"): Promise<string> {
  const bin = `${dir}/loginctl-${linger}`;
  const body = linger === "fail"
    ? "echo 'Failed to get user: User ID 1 is not logged in or lingering' >&2; exit 1"
    : `echo Linger=${linger}`;
  await Deno.writeTextFile(bin, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return bin;
}

Deno.test("startup --system --user NAME writes that user's home, a PATH of theirs and User=", async () => {
  await using s = await scratch();
  // The invoking user's HOME and PATH hold folders that must not reach another user's unit.
  const mine = `${s.dir}/invoker`;
  await Deno.mkdir(`${mine}/bin`, { recursive: true });
  const env = { HOME: mine, PATH: `${mine}/bin:${Deno.env.get("PATH")}` };
  const nobody = await account("nobody");
  assert(nobody.home, "this machine has a nobody user");
  const result = await runCli(s.home, ["startup", "--system", "--user", "nobody"], { env });
  assertEquals(result.code, 0, result.stderr);
  const lines = unitLines(result.stdout);
  assert(lines.includes("User=nobody"), result.stdout);
  assertEquals(lines.filter((l) => l.startsWith("WantedBy=")), ["WantedBy=multi-user.target"]);
  assert(lines.includes(`Environment="ADASA_HOME=${nobody.home}/.adasa"`), result.stdout);
  assert(!result.stdout.includes(s.home), "not the invoker's ADASA_HOME");
  const path = lines.find((l) => l.startsWith(`Environment="PATH=`))!.slice(17, -1).split(":");
  assert(path.includes("/usr/bin") && path.includes("/bin"), path.join(":"));
  assertEquals(path.filter((d) => d.startsWith(mine)), [], path.join(":"));
  // Where it goes and how to enable it, on stderr (stdout is the unit alone).
  const sudo = Deno.uid() === 0 ? "" : "sudo ";
  for (
    const hint of [
      "/etc/systemd/system/adasa.service",
      `${sudo}systemctl daemon-reload`,
      `${sudo}systemctl enable --now adasa.service`,
    ]
  ) assert(result.stderr.includes(hint), `says ${hint}: ${result.stderr}`);
  assert(!result.stderr.includes("enable-linger"), "a system unit needs no lingering");

  const byUid = await runCli(s.home, ["startup", "--system", "--user", "65534", "--json"], { env });
  assertEquals(byUid.code, 0, byUid.stderr);
  const json = JSON.parse(byUid.stdout);
  assertEquals([json.user, json.home], [nobody.name, `${nobody.home}/.adasa`]);
});

Deno.test("startup --system --user NAME warns when deno lies in the invoker's home, and keeps that folder out of NAME's PATH", async () => {
  await using s = await scratch();
  const deno = Deno.execPath();
  const denoDir = deno.slice(0, deno.lastIndexOf("/"));
  // The invoker's HOME is taken to be the folder above deno's, as with ~/.deno/bin/deno.
  const home = denoDir.slice(0, denoDir.lastIndexOf("/")) || "/";
  const result = await runCli(s.home, ["startup", "--system", "--user", "nobody"], {
    env: { HOME: home },
  });
  assertEquals(result.code, 0, result.stderr);
  assertMatch(result.stderr, new RegExp(`warning: nobody may not be able to run ${deno}`));
  const path = unitLines(result.stdout).find((l) => l.startsWith(`Environment="PATH=`))!;
  assert(!path.slice(17, -1).split(":").includes(denoDir), path);
});

Deno.test("startup refuses an unknown user, and another user's user unit, with one line and exit 2", async () => {
  await using s = await scratch();
  for (
    const [args, pattern] of [
      [["startup", "--system", "--user", "no_such_user_18"], /--user: no user "no_such_user_18"/],
      [["startup", "--system", "--user", "999999"], /--user: no user "999999"/],
      [["startup", "--system", "--user", "bad name"], /--user: not a user name or uid/],
      [["startup", "--user", "nobody"], /a user unit runs as the user who installs it/],
    ] as const
  ) {
    const result = await runCli(s.home, [...args], { env: { XDG_CONFIG_HOME: s.dir } });
    assertEquals(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assertEquals(result.stdout, "");
    assertEquals(unitLines(result.stderr).length, 1, result.stderr);
    assertMatch(result.stderr, pattern);
  }
});

Deno.test("a user unit says where it goes, how to enable it, and that lingering is needed when it is off", async () => {
  await using s = await scratch();
  const me = await whoami();
  const env = { XDG_CONFIG_HOME: `${s.dir}/config` };
  const unit = `${s.dir}/config/systemd/user/adasa.service`;
  const off = await runCli(s.home, ["startup"], {
    env: { ...env, ADASA_LOGINCTL: await fakeLoginctl(s.dir, "no") },
  });
  assertEquals(off.code, 0, off.stderr);
  for (
    const hint of [
      unit,
      "systemctl --user daemon-reload",
      "systemctl --user enable --now adasa.service",
      `loginctl enable-linger ${me}`,
    ]
  ) assert(off.stderr.includes(hint), `says ${hint}: ${off.stderr}`);
  assert(!off.stdout.includes("linger"), "stdout is the unit alone");

  const on = await runCli(s.home, ["startup", "--json"], {
    env: { ...env, ADASA_LOGINCTL: await fakeLoginctl(s.dir, "yes") },
  });
  assertEquals(on.code, 0, on.stderr);
  const json = JSON.parse(on.stdout);
  assertEquals(json.linger, true);
  assertEquals(json.commands, [
    "systemctl --user daemon-reload",
    "systemctl --user enable --now adasa.service",
  ]);

  // loginctl knows no session of this user: the flag file decides.
  const lingerDir = `${s.dir}/linger`;
  await Deno.mkdir(lingerDir);
  const failing = { ...env, ADASA_LOGINCTL: await fakeLoginctl(s.dir, "fail") };
  const noFile = await runCli(s.home, ["startup", "--json"], {
    env: { ...failing, ADASA_LINGER_DIR: lingerDir },
  });
  assertEquals(JSON.parse(noFile.stdout).linger, false, noFile.stderr);
  await Deno.writeTextFile(`${lingerDir}/${me}`, "");
  const withFile = await runCli(s.home, ["startup", "--json"], {
    env: { ...failing, ADASA_LINGER_DIR: lingerDir },
  });
  assertEquals(JSON.parse(withFile.stdout).linger, true, withFile.stderr);
});

Deno.test("startup --install replaces a symlink at the unit's path instead of writing through it, leaving no temp file", async () => {
  await using s = await scratch();
  const calls = `${s.dir}/systemctl.calls`;
  const fake = `${s.dir}/systemctl`;
  await Deno.writeTextFile(fake, `#!/bin/sh\necho "$*" >> '${calls}'\n`, { mode: 0o755 });
  const folder = `${s.dir}/config/systemd/user`;
  await Deno.mkdir(folder, { recursive: true });
  const victim = `${s.dir}/victim`;
  await Deno.writeTextFile(victim, "keep me\n");
  await Deno.symlink(victim, `${folder}/adasa.service`);
  const env = {
    XDG_CONFIG_HOME: `${s.dir}/config`,
    ADASA_SYSTEMCTL: fake,
    ADASA_LOGINCTL: await fakeLoginctl(s.dir, "no"),
  };
  const printed = await runCli(s.home, ["startup"], { env });
  const installed = await runCli(s.home, ["startup", "--install"], { env });
  assertEquals(installed.code, 0, installed.stderr);
  assertEquals(await Deno.readTextFile(victim), "keep me\n", "the symlink's target is untouched");
  const stat = await Deno.lstat(`${folder}/adasa.service`);
  assert(stat.isFile && !stat.isSymlink, "the unit is a file of its own");
  assertEquals(
    (await Deno.readTextFile(`${folder}/adasa.service`)).trimEnd(),
    printed.stdout.trimEnd(),
  );
  const names = [];
  for await (const entry of Deno.readDir(folder)) names.push(entry.name);
  assertEquals(names, ["adasa.service"], "no temp file is left beside it");
  assert(installed.stdout.includes(`loginctl enable-linger ${await whoami()}`), installed.stdout);

  // A folder where the unit should be: one line, exit 1, nothing left behind.
  await Deno.remove(`${folder}/adasa.service`);
  await Deno.mkdir(`${folder}/adasa.service/x`, { recursive: true });
  const blocked = await runCli(s.home, ["startup", "--install"], { env });
  assertEquals(blocked.code, 1, blocked.stderr);
  assertMatch(blocked.stderr, /Cannot write .*adasa\.service/);
  const after = [];
  for await (const entry of Deno.readDir(folder)) after.push(entry.name);
  assertEquals(after, ["adasa.service"]);
});

Deno.test("startup --install writes the user unit and enables it; unstartup disables and removes it", async () => {
  await using s = await scratch();
  const calls = `${s.dir}/systemctl.calls`;
  const fake = `${s.dir}/systemctl`;
  await Deno.writeTextFile(fake, `#!/bin/sh\necho "$*" >> '${calls}'\n`, { mode: 0o755 });
  const env = {
    XDG_CONFIG_HOME: `${s.dir}/config`,
    ADASA_SYSTEMCTL: fake,
    ADASA_LOGINCTL: await fakeLoginctl(s.dir, "yes"),
  };
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
