/**
 * The daemon bundled as `deno task build` bundles it (#17): split into chunks, the config
 * readers, the exporter and the web dashboard load on first use. The CLI starts that bundle
 * (ADASA_DAEMON_ENTRY), reads a TOML file with it, exports, and serves the page.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { runCli } from "../_helpers/daemon.ts";
import { isLive, readProc } from "../_helpers/proc.ts";
import { waitFor } from "../_helpers/wait.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The build task's daemon bundle, into `dir`. */
async function bundleDaemon(dir: string): Promise<void> {
  const bundle = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--platform",
      "deno",
      "--quiet",
      "--code-splitting",
      "--outdir",
      dir,
      "main.ts",
    ],
    cwd: ROOT,
  }).output();
  assertEquals(bundle.code, 0, new TextDecoder().decode(bundle.stderr));
  await Deno.rename(`${dir}/main.js`, `${dir}/adasad.js`);
  const cp = await new Deno.Command("cp", {
    args: ["-r", `${ROOT}migrations`, `${dir}/migrations`],
  })
    .output();
  assertEquals(cp.code, 0);
}

Deno.test("the split bundle starts apps from a TOML file, exports them and serves the page", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-split-" });
  const home = `${dir}/home`;
  const env = { ADASA_DAEMON_ENTRY: `${dir}/adasad.js` };
  let pids: number[] = [];
  try {
    await bundleDaemon(dir);
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
