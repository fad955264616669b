/**
 * What `deno task build` makes (cli/build.ts): the daemon bundle, split into chunks so the config
 * readers, the exporter and the web dashboard load on first use (#17), and the CLI bundle, split
 * so `ping` parses only what it runs (#14), which `deno task install` runs through a launcher.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { runCli } from "../_helpers/daemon.ts";
import { isLive, readProc } from "../_helpers/proc.ts";
import { waitFor } from "../_helpers/wait.ts";
import { build } from "../../cli/build.ts";
import { install } from "../../cli/install.ts";

Deno.test("the split bundle starts apps from a TOML file, exports them and serves the page", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-split-" });
  const home = `${dir}/home`;
  const env = { ADASA_DAEMON_ENTRY: `${dir}/adasad.js` };
  let pids: number[] = [];
  try {
    await build(dir);
    const chunks = (await Array.fromAsync(Deno.readDir(dir))).filter((e) => e.name.endsWith(".js"));
    assert(chunks.length > 1, `the bundle is split: ${chunks.map((e) => e.name)}`);
    await Deno.writeTextFile(
      `${dir}/apps.toml`,
      '[[apps]]\nname = "toml-sleep"\ncommand = "sleep"\nargs = ["600"]\n',
    );
    const start = await runCli(home, ["start", `${dir}/apps.toml`], { env, cwd: dir });
    assertEquals(start.code, 0, start.stderr);
    const daemonPid = (await Deno.readTextFile(`${home}/daemon.pid`)).trim();
    const cmdline = await Deno.readTextFile(`/proc/${daemonPid}/cmdline`);
    assert(cmdline.includes(`${dir}/adasad.js`), `the daemon runs the bundle: ${cmdline}`);
    const pid = await runCli(home, ["pid", "toml-sleep", "--json"], { env });
    pids = JSON.parse(pid.stdout);
    assertEquals(pids.length, 1, pid.stdout);
    const exported = await runCli(home, ["export", "--format", "toml"], { env });
    assertEquals(exported.code, 0, exported.stderr);
    assertMatch(exported.stdout, /name = "toml-sleep"/);
    const web = await runCli(home, ["web", "--port", "0"], { env });
    assertEquals(web.code, 0, web.stderr);
    const url = /http:\/\/\S+\?token=\S+/.exec(web.stdout)?.[0];
    assert(url, web.stdout);
    const page = await fetch(url);
    assertEquals(page.status, 200);
    assertMatch(await page.text(), /<html/i);
  } finally {
    await runCli(home, ["daemon", "stop"], { env });
    await waitFor(() => pids.filter(isLiveByPid), (left) => left.length === 0, {
      what: "the app's sleep gone with its daemon",
      timeoutMs: 10_000,
    }).finally(() => {
      for (const p of pids.filter(isLiveByPid)) Deno.kill(p, "SIGKILL");
    });
    await Deno.remove(dir, { recursive: true });
  }
});

function isLiveByPid(pid: number): boolean {
  return isLive(readProc(pid));
}

Deno.test("the installed launcher runs the built CLI from any folder, which starts the daemon bundle beside it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-build-" });
  const home = `${dir}/home`;
  const elsewhere = await Deno.makeTempDir({ prefix: "adasa-cwd-" });
  const run = async (args: string[]) => {
    const out = await new Deno.Command(`${dir}/bin/adasa`, {
      args,
      cwd: elsewhere,
      env: { ADASA_HOME: home, NO_COLOR: "1" },
      stdin: "null",
    }).output();
    const text = new TextDecoder();
    return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
  };
  try {
    const cli = await build(dir);
    assertEquals(await install(cli, `${dir}/bin`), `${dir}/bin/adasa`);
    assertEquals((await Deno.stat(`${dir}/bin/adasa`)).mode! & 0o111, 0o111, "executable");
    const ping = await run(["ping"]);
    assertEquals([ping.code, ping.stdout], [0, "pong\n"], ping.stderr);
    const daemonPid = (await Deno.readTextFile(`${home}/daemon.pid`)).trim();
    const cmdline = await Deno.readTextFile(`/proc/${daemonPid}/cmdline`);
    assert(cmdline.includes(`${dir}/adasad.js`), `the daemon runs the bundle: ${cmdline}`);
    // start's flags live in a chunk of their own, loaded only by start and its help.
    const help = await run(["start", "--help"]);
    assertEquals(help.code, 0, help.stderr);
    assertMatch(help.stdout, /--max-memory/);
    const unknown = await run(["strat"]);
    assertEquals(unknown.code, 2);
    assertMatch(unknown.stderr, /^adasa: Unknown command "strat"; did you mean "start"\?\n$/);
    // A second install replaces the launcher (and any older symlink) in place.
    await Deno.remove(`${dir}/bin/adasa`);
    await Deno.symlink(cli, `${dir}/bin/adasa`);
    await install(cli, `${dir}/bin`);
    assert((await Deno.lstat(`${dir}/bin/adasa`)).isFile, "a file, no longer a symlink");
    assertEquals((await run(["ping"])).stdout, "pong\n");
  } finally {
    await run(["daemon", "stop"]);
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});
