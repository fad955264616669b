/**
 * #16.8: a home owned by another user was used as it was, and a symlinked `daemon.log` in it
 * was followed and appended to. The daemon now refuses a home, or a file of its own in it, that
 * belongs to another uid or is a symlink, with one line naming the path, before it opens
 * anything; and its temporary files are created exclusively.
 */
import { writePidFile } from "../../src/daemon/lock.ts";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { makeHome, spawnDaemonProcess } from "../_helpers/daemon.ts";
import { AdasaClient } from "../../src/ipc/client.ts";

const NOBODY = 65534;

/** Runs a daemon on `home` that must refuse to start; returns its exit code and stderr. */
async function refusedStart(home: string): Promise<{ code: number; stderr: string }> {
  const child = spawnDaemonProcess(home);
  const stderr = new Response(child.stderr).text();
  let exited = false;
  const status = child.status.finally(() => (exited = true));
  // Until it exits, watch for the old behaviour: a daemon that answers on the refused home.
  while (!exited) {
    if (await answers(home)) {
      child.kill("SIGTERM");
      await status;
      await stderr;
      throw new Error(`The daemon started on ${home} instead of refusing it`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { code: (await status).code, stderr: (await stderr).trim() };
}

async function answers(home: string): Promise<boolean> {
  try {
    await using client = await AdasaClient.connect({ home });
    await client.request("ping");
    return true;
  } catch {
    return false;
  }
}

Deno.test("a symlinked daemon.log is refused and its target is left alone", async () => {
  const home = makeHome();
  const victim = await Deno.makeTempFile({ prefix: "adasa-victim-" });
  try {
    await Deno.writeTextFile(victim, "precious\n");
    await Deno.symlink(victim, `${home}/daemon.log`);
    const { code, stderr } = await refusedStart(home);
    assertEquals(code, 1, stderr);
    assertEquals(
      stderr,
      `adasa daemon: Refusing to use ${home}/daemon.log: it is a symlink (to ${victim}); the daemon does not follow links in its home`,
    );
    assertEquals(await Deno.readTextFile(victim), "precious\n");
  } finally {
    await Deno.remove(home, { recursive: true });
    await Deno.remove(victim);
  }
});

Deno.test({
  name: "a home, or a database, owned by another uid is refused",
  ignore: Deno.uid() !== 0, // only root can make a folder that belongs to someone else
  async fn() {
    const home = makeHome();
    try {
      await Deno.chown(home, NOBODY, NOBODY);
      const byHome = await refusedStart(home);
      assertEquals(byHome.code, 1, byHome.stderr);
      assertMatch(
        byHome.stderr,
        new RegExp(
          `Refusing to use ${home}: it is owned by uid ${NOBODY}, not by this user \\(uid 0\\)$`,
        ),
      );
      const entries = [...Deno.readDirSync(home)].map((e) => e.name);
      assertEquals(entries, [], "nothing was created in the refused home");
      await Deno.chown(home, 0, 0);
      await Deno.writeTextFile(`${home}/adasa.db`, "");
      await Deno.chown(`${home}/adasa.db`, NOBODY, NOBODY);
      const byDb = await refusedStart(home);
      assertEquals(byDb.code, 1, byDb.stderr);
      assertMatch(byDb.stderr, /adasa\.db: it is owned by uid 65534/);
      assertEquals((await Deno.stat(`${home}/adasa.db`)).size, 0, "the database was not opened");
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test("writePidFile() never follows a link planted at its temporary path", async () => {
  const home = makeHome();
  try {
    const victim = `${home}/victim`;
    await Deno.writeTextFile(victim, "precious\n");
    await Deno.symlink(victim, `${home}/daemon.pid.424242.tmp`);
    writePidFile(`${home}/daemon.pid`, 424242);
    assertEquals(await Deno.readTextFile(`${home}/daemon.pid`), "424242\n");
    assertEquals(await Deno.readTextFile(victim), "precious\n");
    const info = await Deno.lstat(`${home}/daemon.pid`);
    assert(info.isFile && !info.isSymlink, "the pid file is a file of its own");
    assertEquals(info.mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
